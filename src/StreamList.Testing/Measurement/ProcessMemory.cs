using System.Globalization;

namespace StreamList.Testing.Measurement;

/// <summary>
/// Process-level memory figures as docs/measuring.md defines them: peak RSS is <c>VmHWM</c> from
/// /proc/self/status; retained heap is <see cref="GC.GetTotalMemory(bool)"/> after a full
/// collection; allocated is <see cref="GC.GetTotalAllocatedBytes(bool)"/>.
/// </summary>
public static class ProcessMemory
{
    private const double MiB = 1024 * 1024;

    /// <summary>Peak resident set (VmHWM) in MiB, or -1 where /proc is not available.</summary>
    public static double PeakRssMiB() => ReadStatusKiB("VmHWM:") / 1024.0;

    /// <summary>Current resident set (VmRSS) in MiB, or -1 where /proc is not available.</summary>
    public static double RssMiB() => ReadStatusKiB("VmRSS:") / 1024.0;

    /// <summary>Managed heap after a full, compacting collection, in MiB.</summary>
    public static double RetainedHeapMiB() => GC.GetTotalMemory(forceFullCollection: true) / MiB;

    /// <summary>Bytes allocated by the process so far, in MiB.</summary>
    public static double AllocatedMiB() => GC.GetTotalAllocatedBytes(precise: true) / MiB;

    /// <summary>Resets the peak RSS so a later <see cref="PeakRssMiB"/> covers only what follows (Linux: writes 5 to /proc/self/clear_refs).</summary>
    /// <returns>False where the kernel does not allow it.</returns>
    public static bool ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static double ReadStatusKiB(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return double.Parse(line.AsSpan(field.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
        }
        return -1;
    }
}
