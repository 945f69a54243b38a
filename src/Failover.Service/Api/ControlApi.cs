using System.Security.Cryptography;
using System.Text;
using Failover.Service.Application;
using Failover.Service.Configuration;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Failover.Service.Api;

/// <summary>
/// The control routes (design §9): pause, resume, re-arm automation and request a manual failover — through the
/// Mediator commands and their validators, recorded with who and why. They need <c>Authorization: Bearer &lt;token&gt;</c>.
/// </summary>
public static class ControlApi
{
    public static RouteGroupBuilder MapControlApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var control = api.MapGroup(string.Empty).WithMetadata(RequiresApiToken.Instance);
        control.MapPost("/automation/pause", (ControlRequest body, HttpContext http, IMediator mediator, FailoverSettings settings, CancellationToken ct) =>
            SendAsync(mediator, new PauseAutomation(settings.Producer.ToString(), By(body.By, http), body.Reason ?? string.Empty), ct))
            .WithName("PauseAutomation").WithSummary("Pause automatic failover; body {\"reason\": \"…\"}.");
        control.MapPost("/automation/resume", (ControlRequest body, HttpContext http, IMediator mediator, FailoverSettings settings, CancellationToken ct) =>
            SendAsync(mediator, new ResumeAutomation(settings.Producer.ToString(), By(body.By, http), body.Reason ?? string.Empty), ct))
            .WithName("ResumeAutomation").WithSummary("Resume automatic failover.");
        control.MapPost("/automation/rearm", (ControlRequest body, HttpContext http, IMediator mediator, FailoverSettings settings, CancellationToken ct) =>
            SendAsync(mediator, new RearmAutomation(settings.Producer.ToString(), By(body.By, http), body.Reason ?? string.Empty), ct))
            .WithName("RearmAutomation").WithSummary("Re-arm automation after it latched at the rotation cap.");
        control.MapPost("/failovers", (ManualFailoverRequest body, HttpContext http, IMediator mediator, FailoverSettings settings, CancellationToken ct) =>
            SendAsync(mediator, new RequestManualFailover(settings.Producer.ToString(), body.DataCenter ?? string.Empty, By(body.By, http), body.Reason ?? string.Empty), ct))
            .WithName("RequestManualFailover").WithSummary("Fail over to a named data center; body {\"data_center\": \"dc2\", \"reason\": \"…\"}.");
        return api;
    }

    private static async Task<Results<Ok<ControlResponse>, ProblemHttpResult, ValidationProblem>> SendAsync(IMediator mediator, IOperatorCommand command, CancellationToken cancellationToken)
    {
        try
        {
            var result = await mediator.Send(command, cancellationToken).ConfigureAwait(false);
            return result.Recorded
                ? TypedResults.Ok(new ControlResponse(true, result.Message, result.Position))
                : TypedResults.Problem(new ProblemDetails
                {
                    Status = StatusCodes.Status409Conflict,
                    Title = "Refused",
                    Detail = result.Message,
                    Type = "https://failover.example/problems/refused",
                });
        }
        catch (ValidationException e)
        {
            return TypedResults.ValidationProblem(
                // Keyed by the body's field names (reason, data_center, by), as the client wrote them.
                e.Errors.GroupBy(x => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(x.PropertyName)).ToDictionary(g => g.Key, g => g.Select(x => x.ErrorMessage).ToArray()),
                detail: string.Join(" ", e.Errors.Select(x => x.ErrorMessage)),
                title: "Invalid request");
        }
    }

    /// <summary>Who asks: the body's <c>by</c>, else the caller's address (the token says the caller may, not who it is).</summary>
    private static string By(string? by, HttpContext http) => string.IsNullOrWhiteSpace(by) ? $"api@{http.Connection.RemoteIpAddress?.ToString() ?? "local"}" : by;
}

/// <summary>
/// The bearer token of <c>Failover:Api:Token</c> (or <c>TokenFile</c>), compared in constant time. Without one, the routes
/// it guards are disabled (403, saying how to enable them).
/// </summary>
public sealed class ApiToken
{
    private readonly byte[]? _digest;

    public ApiToken(ApiSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var token = settings.Token ?? (settings.TokenFile is { } file ? File.ReadAllText(file).Trim() : null);
        _digest = string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
        ProtectReads = settings.ProtectReads;
    }

    public bool IsConfigured => _digest is not null;

    public bool ProtectReads { get; }

    /// <summary>Hashing both sides first makes the comparison constant-time whatever the lengths.</summary>
    public bool Matches(string presented) =>
        _digest is not null && CryptographicOperations.FixedTimeEquals(_digest, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}

/// <summary>Endpoint metadata: the route needs the configured bearer token (<see cref="ApiGuard"/> checks it).</summary>
public sealed class RequiresApiToken
{
    public static RequiresApiToken Instance { get; } = new();

    private RequiresApiToken()
    {
    }
}

/// <summary>
/// Runs before any endpoint, so before its body is read: a request over <see cref="MaxBodyBytes"/> is 413 on every route,
/// and a route marked <see cref="RequiresApiToken"/> lets a request through only with the configured bearer token —
/// a client without it gets 401 (or 403 when no token is configured) whatever its body holds, and the body is never read.
/// </summary>
public sealed class ApiGuard(ApiToken token)
{
    /// <summary>The largest body any route takes (the control routes' reason and names are far smaller).</summary>
    public const int MaxBodyBytes = 16 * 1024;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        // No response is to be read as anything but the type it declares (the dashboard's files say so too).
        context.Response.Headers.XContentTypeOptions = "nosniff";
        if (Refusal(context) is { } refusal)
        {
            await refusal.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes; // a body without Content-Length stops at the limit too (Kestrel)
        }

        await next(context).ConfigureAwait(false);
    }

    private ProblemHttpResult? Refusal(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return TypedResults.Problem(new ProblemDetails
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = "Body too large",
                Detail = $"A request body may have at most {MaxBodyBytes} bytes.",
                Type = "https://failover.example/problems/body-too-large",
            });
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<RequiresApiToken>() is null)
        {
            return null;
        }

        if (!token.IsConfigured)
        {
            return TypedResults.Problem(new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Control routes are disabled",
                Detail = "No API token is configured: set Failover:Api:Token (16 characters or more) or Failover:Api:TokenFile to enable them.",
                Type = "https://failover.example/problems/control-disabled",
            });
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && token.Matches(header[scheme.Length..].Trim()))
        {
            return null;
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status401Unauthorized,
            Title = "Unauthorized",
            Detail = "This route needs the header Authorization: Bearer <token> with the configured API token.",
            Type = "https://failover.example/problems/unauthorized",
        });
    }
}
