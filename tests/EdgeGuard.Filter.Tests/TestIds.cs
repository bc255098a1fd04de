namespace EdgeGuard.Filter.Tests;

/// <summary>Deterministic id sets: "present" ids to add and "absent" ids that are never added.</summary>
internal static class TestIds
{
    public static string Present(int i) => $"SKU-{i:D7}";

    public static string Absent(int i) => $"ABSENT-{i:D7}";

    public static string[] PresentRange(int count) => Enumerable.Range(0, count).Select(Present).ToArray();

    public static string[] AbsentRange(int count) => Enumerable.Range(0, count).Select(Absent).ToArray();
}
