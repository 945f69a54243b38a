using FluentValidation;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace Failover.Service.Application;

public static class ApplicationServices
{
    /// <summary>Mediator (source-generated) with the validation pipeline, the operator commands and their validators.</summary>
    public static IServiceCollection AddFailoverApplication(this IServiceCollection services, IReadOnlyList<string>? dataCenters)
    {
        services.AddSingleton(new KnownDataCenters(dataCenters));
        services.AddSingleton<IValidator<PauseAutomation>, PauseAutomationValidator>();
        services.AddSingleton<IValidator<ResumeAutomation>, ResumeAutomationValidator>();
        services.AddSingleton<IValidator<RearmAutomation>, RearmAutomationValidator>();
        services.AddSingleton<IValidator<RequestManualFailover>, RequestManualFailoverValidator>();
        services.AddMediator((MediatorOptions options) =>
        {
            options.Namespace = "Failover.Service.Application.Mediation";
            options.ServiceLifetime = ServiceLifetime.Singleton;
            options.PipelineBehaviors = [typeof(ValidationBehavior<,>)];
        });
        return services;
    }
}
