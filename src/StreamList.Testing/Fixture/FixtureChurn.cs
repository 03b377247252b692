namespace StreamList.Testing.Fixture;

/// <summary>
/// Which pods one round of churn touches (docs/fixture.md): of <c>n</c> live pods, <c>c%</c> are
/// modified, <c>c/10%</c> deleted (never both) and as many new pods created. Positions count live
/// pods in population order (0 = the live pod with the lowest index). The plan depends only on
/// (seed, churn percent, round, live count).
/// </summary>
/// <param name="Modified">Positions of the pods to modify, ascending.</param>
/// <param name="Deleted">Positions of the pods to delete, ascending.</param>
/// <param name="Created">How many new pods to create (equal to the number deleted).</param>
public sealed record ChurnPlan(IReadOnlyList<int> Modified, IReadOnlyList<int> Deleted, int Created);

/// <summary>Plans churn rounds: see <see cref="ChurnPlan"/>.</summary>
public static class FixtureChurn
{
    /// <summary>The plan for round <paramref name="round"/> of <paramref name="churnPercent"/>% churn over <paramref name="liveCount"/> pods.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The percentage is outside [0, 100] or the count is negative.</exception>
    public static ChurnPlan Plan(int seed, double churnPercent, int round, int liveCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(liveCount);
        if (double.IsNaN(churnPercent) || churnPercent < 0 || churnPercent > 100)
            throw new ArgumentOutOfRangeException(nameof(churnPercent), churnPercent, "churn is a percentage in [0, 100]");

        int deleted = (int)Math.Round(liveCount * churnPercent / 1000, MidpointRounding.AwayFromZero);
        int modified = Math.Min((int)Math.Round(liveCount * churnPercent / 100, MidpointRounding.AwayFromZero), liveCount - deleted);
        var rng = new FixtureRandom(seed, round, (ulong)BitConverter.DoubleToInt64Bits(churnPercent) ^ 0xC0FFEE);

        // Floyd's sampling: k distinct positions in O(k), then a shuffle decides which are deleted.
        int k = modified + deleted;
        var chosen = new HashSet<int>(k);
        for (int j = liveCount - k; j < liveCount; j++)
        {
            int t = rng.Next(j + 1);
            chosen.Add(chosen.Contains(t) ? j : t);
        }
        var picks = chosen.ToArray();
        Array.Sort(picks);
        for (int i = picks.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (picks[i], picks[j]) = (picks[j], picks[i]);
        }
        var delete = picks[..deleted];
        var modify = picks[deleted..];
        Array.Sort(delete);
        Array.Sort(modify);
        return new ChurnPlan(modify, delete, deleted);
    }
}
