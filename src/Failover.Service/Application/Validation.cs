using Failover.Antelope;
using FluentValidation;
using Mediator;

namespace Failover.Service.Application;

/// <summary>The data centers operator commands may name (those of the configuration, when it is known).</summary>
public sealed record KnownDataCenters(IReadOnlyList<string>? Names);

/// <summary>Who and why, for every operator command: recorded forever in the audit trail, so both must say something.</summary>
public abstract class OperatorCommandValidator<T> : AbstractValidator<T>
    where T : IOperatorCommand
{
    public const int MaxReasonLength = 500;

    protected OperatorCommandValidator()
    {
        RuleFor(c => c.Producer).Must(p => Name.TryParse(p, out _, out _)).WithName("producer")
            .WithMessage("producer must be an account name, got '{PropertyValue}'.");
        RuleFor(c => c.By).Must(b => !string.IsNullOrWhiteSpace(b) && b.Length <= 100).WithName("by").WithMessage("by must name who asks (1–100 characters).");
        RuleFor(c => c.Reason).Must(r => !string.IsNullOrWhiteSpace(r) && r.Length <= MaxReasonLength).WithName("reason")
            .WithMessage($"reason must say why (1–{MaxReasonLength} characters): it is kept in the audit trail.");
        RuleFor(c => c.Reason).Must(r => r is null || !r.Any(char.IsControl)).WithName("reason")
            .WithMessage("reason must not contain control characters.");
    }
}

public sealed class PauseAutomationValidator : OperatorCommandValidator<PauseAutomation>;

public sealed class ResumeAutomationValidator : OperatorCommandValidator<ResumeAutomation>;

public sealed class RearmAutomationValidator : OperatorCommandValidator<RearmAutomation>;

public sealed class RequestManualFailoverValidator : OperatorCommandValidator<RequestManualFailover>
{
    public RequestManualFailoverValidator(KnownDataCenters known)
    {
        ArgumentNullException.ThrowIfNull(known);
        RuleFor(c => c.DataCenter).Must(dc => !string.IsNullOrWhiteSpace(dc)).WithName("data_center").WithMessage("data_center must name the data center to fail over to.");
        RuleFor(c => c.DataCenter).Must(dc => known.Names is null || known.Names.Contains(dc)).When(c => !string.IsNullOrEmpty(c.DataCenter))
            .WithName("data_center").WithMessage(c => $"data_center '{c.DataCenter}' is not configured; known: {string.Join(", ", known.Names ?? [])}.");
    }
}

/// <summary>The pipeline step that runs every validator of a message first and refuses it listing every problem.</summary>
public sealed class ValidationBehavior<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        var failures = new List<FluentValidation.Results.ValidationFailure>();
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(message, cancellationToken).ConfigureAwait(false);
            failures.AddRange(result.Errors);
        }

        if (failures.Count > 0)
        {
            throw new ValidationException(failures);
        }

        return await next(message, cancellationToken).ConfigureAwait(false);
    }
}
