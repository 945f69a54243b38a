using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Failover.Service.Dashboard;

/// <summary>
/// The dashboard at <c>/</c>: plain HTML, CSS and ES modules embedded in this assembly (Dashboard/wwwroot), so any
/// host of the service — <c>failover run</c>, <c>failover demo</c> — serves them with nothing to install and nothing
/// fetched from elsewhere. It reads the API and follows <c>/api/stream</c>.
/// </summary>
public static class DashboardFiles
{
    /// <summary>The embedded files, by path (e.g. <c>/app.js</c>).</summary>
    public static IFileProvider Files { get; } = new EmbeddedFileProvider(typeof(DashboardFiles).Assembly, "dashboard");

    public static WebApplication UseFailoverDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = Files, RequestPath = string.Empty });
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".js"] = "text/javascript; charset=utf-8";
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Files,
            ContentTypeProvider = types,
            // Always revalidate: a new version of the service serves its new dashboard at once.
            OnPrepareResponse = context =>
            {
                context.Context.Response.Headers.CacheControl = "no-cache";
                context.Context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Context.Response.Headers.ContentSecurityPolicy =
                    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
            },
        });
        return app;
    }
}
