namespace StreamList.Tests;

/// <summary>The Kubernetes round-trip fixtures copied under TestData/k8s (see its NOTICE).</summary>
public static class Fixtures
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "TestData", "k8s");

    /// <summary>Names (without extension) of every fixture with a .pb and a .json.</summary>
    public static IEnumerable<string> Names() =>
        Directory.GetFiles(Dir, "*.pb").Select(Path.GetFileNameWithoutExtension).Where(n => File.Exists(Path.Combine(Dir, n + ".json"))).Order(StringComparer.Ordinal)!;

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var n in Names())
            data.Add(n);
        return data;
    }

    public static byte[] Protobuf(string name) => File.ReadAllBytes(Path.Combine(Dir, name + ".pb"));

    public static string Json(string name) => File.ReadAllText(Path.Combine(Dir, name + ".json"));
}
