namespace StreamList.PublicApi.Tests;

/// <summary>
/// Waits for a condition on what an informer or server counted (a state reached, not a time elapsed).
/// The 60 s bound only turns a hang into a failure; no assertion depends on how long it took.
/// </summary>
internal static class Eventually
{
    public static async Task Until(Func<bool> condition)
    {
        var guard = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > guard)
                throw new TimeoutException("condition not reached");
            await Task.Delay(5);
        }
    }
}
