using EdgeGuard.Proxy.Configuration;

namespace EdgeGuard.Proxy.Budget;

/// <summary>The client budget's section (<see cref="ClientBudgetSettings.Validate"/>); each failure names the setting.</summary>
public sealed class ClientBudgetOptionsValidator : IValidateOptions<EdgeGuardOptions>
{
    public ValidateOptionsResult Validate(string? name, EdgeGuardOptions options) =>
        ClientBudgetSettings.Validate(options.ClientBudget).ToList() is { Count: > 0 } failures ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
}
