using System.Reflection;

namespace StreamList.CodeGen;

/// <summary>Runs the whole generation from the embedded descriptor set and known gaps.</summary>
public static class Generator
{
    /// <summary>Generated files by name, or throws with every binding error.</summary>
    public static SortedDictionary<string, string> Run()
    {
        var schema = Schema.Load(ReadResource("streamlist.protoset"));
        var gaps = KnownGaps.Parse(System.Text.Encoding.UTF8.GetString(ReadResource("known-gaps.txt")));
        var binder = new Binder(schema, gaps);
        var bound = binder.BindAll();
        if (binder.Errors.Count > 0)
            throw new InvalidOperationException("The schema and KubernetesClient's models disagree:\n  " + string.Join("\n  ", binder.Errors));
        return Emitter.Emit(bound);
    }

    private static byte[] ReadResource(string name)
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"resource {name} missing: build the project");
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
