using System.Diagnostics;
using System.Text.Json;

namespace StreamList.MemoryBench;

/// <summary>
/// What the machine charges for memory a process keeps: the seconds to allocate and hold N MiB in 1 MiB
/// arrays, writing one byte per 4 KiB page (each page's first touch), against writing the same pages again
/// and against allocating the same amount as garbage the collector reuses. A list that keeps every object
/// pays the first figure per MiB it keeps, whatever the GC does. Prints one JSON line.
/// </summary>
internal static class TouchRun
{
    private const int Page = 4096;

    public static int Run(int mib)
    {
        var held = new List<byte[]>(mib);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < mib; i++)
            held.Add(WritePages(new byte[1 << 20]));
        double fresh = clock.Elapsed.TotalSeconds;

        clock.Restart();
        foreach (var array in held)
            WritePages(array);
        double again = clock.Elapsed.TotalSeconds;
        held.Clear();
        GC.Collect();

        clock.Restart();
        long sum = 0;
        for (int i = 0; i < mib; i++)
            sum += WritePages(new byte[1 << 20])[0];
        double garbage = clock.Elapsed.TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["mode"] = "touch",
            ["mib"] = mib,
            ["heldSecondsPerGiB"] = Math.Round(fresh * 1024 / mib, 3),
            ["touchAgainSecondsPerGiB"] = Math.Round(again * 1024 / mib, 3),
            ["garbageSecondsPerGiB"] = Math.Round(garbage * 1024 / mib, 3),
            ["microsecondsPerFreshPage"] = Math.Round(fresh * 1e6 / (mib * 256.0), 2),
            ["checksum"] = sum,
        }));
        return 0;
    }

    /// <summary>Writes one byte in every page of <paramref name="array"/> (its first touch when the array is new).</summary>
    private static byte[] WritePages(byte[] array)
    {
        for (int j = 0; j < array.Length; j += Page)
            array[j]++;
        return array;
    }
}
