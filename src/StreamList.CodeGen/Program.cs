// streamlist-codegen: regenerates src/StreamList/Codec/Generated from protos/ and KubernetesClient.
//   dotnet run --project src/StreamList.CodeGen            write the files
//   dotnet run --project src/StreamList.CodeGen -- --check exit 1 if the checked-in files are stale
using StreamList.CodeGen;

bool check = args.Contains("--check");
string root = FindRepoRoot();
string outDir = Path.Combine(root, "src", "StreamList", "Codec", "Generated");
SortedDictionary<string, string> files;
try
{
    files = Generator.Run();
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
var stale = new List<string>();
foreach (var (name, text) in files)
{
    var path = Path.Combine(outDir, name);
    if (File.Exists(path) && File.ReadAllText(path) == text)
        continue;
    stale.Add(name);
    if (!check)
    {
        Directory.CreateDirectory(outDir);
        File.WriteAllText(path, text);
    }
}
foreach (var extra in Directory.Exists(outDir) ? Directory.GetFiles(outDir, "*.g.cs") : [])
{
    if (files.ContainsKey(Path.GetFileName(extra)))
        continue;
    stale.Add(Path.GetFileName(extra));
    if (!check)
        File.Delete(extra);
}
Console.WriteLine(stale.Count == 0 ? "generated code is up to date" : (check ? "stale: " : "wrote: ") + string.Join(", ", stale));
return check && stale.Count > 0 ? 1 : 0;

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "StreamList.sln")))
            return dir.FullName;
    throw new InvalidOperationException("run inside the StreamList repository");
}
