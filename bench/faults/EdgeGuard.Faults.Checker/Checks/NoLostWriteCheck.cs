using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Checker.Checks;

/// <summary>
/// No lost write: every acknowledged id (a create's 2xx, an announcement's 200) is in the catalog at the end (the
/// catalog asked directly), and every acknowledged id, and every id created through a gateway that the catalog has at
/// the end (a write whose answer never came back may have landed), is served 200 by every instance in the final reads.
/// </summary>
public sealed class NoLostWriteCheck : ICheck
{
    public string Name => "no lost write";

    public CheckResult Evaluate(IReadOnlyList<Operation> history, Timeline timeline, CheckSettings settings)
    {
        var acknowledged = Acknowledgements.Of(history);
        var inCatalog = Latest.By(history.Where(op => op.Kind == OpKind.CatalogCheck && op.Id is not null), op => op.Id!);
        var finals = Latest.By(history.Where(op => op.Kind == OpKind.Read && op.Target == ReadTarget.Final && op.Id is not null), op => (op.Id!, op.Instance ?? -1));
        var violations = new List<string>();
        foreach (var id in acknowledged.Keys.Order(StringComparer.Ordinal))
        {
            if (!inCatalog.TryGetValue(id, out var check) || check.Status != 200)
            {
                violations.Add($"{id}, acknowledged at {Describe.Seconds(acknowledged[id])}, is not in the catalog at the end: {(check is null ? "never checked" : Describe.Op(check))}");
            }
        }

        // Ids created through a gateway whose answer never came: the gateway settles them from the catalog. An id inserted
        // behind the gateways' back whose announcement was refused is not among them: the gateways learn it only from an
        // announcement or a rebuild.
        var createdThroughGateways = history.Where(op => op.Kind == OpKind.Create && op.Id is not null).Select(op => op.Id!).ToHashSet(StringComparer.Ordinal);
        var landed = inCatalog.Values.Where(check => check.Status == 200 && createdThroughGateways.Contains(check.Id!)).Select(check => check.Id!).ToHashSet(StringComparer.Ordinal);
        var mustServe = landed.Union(acknowledged.Keys).Order(StringComparer.Ordinal).ToList();
        foreach (var id in mustServe)
        {
            for (var instance = 0; instance < settings.Instances; instance++)
            {
                if (!finals.TryGetValue((id, instance), out var final))
                {
                    violations.Add($"{id} was never read through gw-{instance} at the end");
                }
                else if (final.Status != 200)
                {
                    violations.Add($"{id} is not served at the end: {Describe.Op(final)}");
                }
            }
        }

        var unacknowledgedLanded = landed.Count(id => !acknowledged.ContainsKey(id));
        return CheckResult.From(Name, mustServe.Count, violations,
            $"{acknowledged.Count} acknowledged, {unacknowledgedLanded} more landed without a 2xx");
    }
}
