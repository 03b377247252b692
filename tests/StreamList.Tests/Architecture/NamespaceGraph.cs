// NamespaceGraph: which namespace of an assembly references which, read from the compiled IL (Mono.Cecil):
// base types, interfaces, fields, signatures, attributes, generic arguments and every type, method and field
// a method body names. Compiler-generated and nested types count for the namespace of their outermost type.
// Each edge keeps one example (the referencing type and the type it names) so a failure says where to look.
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace StreamList.Tests.Architecture;

internal sealed class NamespaceGraph
{
    private readonly Dictionary<(string From, string To), string> _edges = new();

    public IReadOnlyDictionary<(string From, string To), string> Edges => _edges;

    public static NamespaceGraph Read(string assemblyPath, string rootNamespace)
    {
        var graph = new NamespaceGraph();
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        foreach (var type in module.GetTypes())
        {
            var from = NamespaceOf(type);
            if (!InRoot(from, rootNamespace))
            {
                continue;
            }
            var visitor = new Visitor(graph, from, type.FullName, rootNamespace);
            visitor.Type(type.BaseType);
            foreach (var i in type.Interfaces)
            {
                visitor.Type(i.InterfaceType);
            }
            visitor.Attributes(type.CustomAttributes);
            foreach (var field in type.Fields)
            {
                visitor.Type(field.FieldType);
                visitor.Attributes(field.CustomAttributes);
            }
            foreach (var property in type.Properties)
            {
                visitor.Type(property.PropertyType);
                visitor.Attributes(property.CustomAttributes);
            }
            foreach (var method in type.Methods)
            {
                visitor.Method(method);
            }
        }
        return graph;
    }

    /// <summary>The namespaces on a cycle (each strongly connected component of more than one namespace).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var nodes = _edges.Keys.SelectMany(e => new[] { e.From, e.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var reach = nodes.ToDictionary(n => n, n => Reachable(n));
        var seen = new HashSet<string>();
        var cycles = new List<IReadOnlyList<string>>();
        foreach (var n in nodes)
        {
            if (seen.Contains(n))
            {
                continue;
            }
            var component = nodes.Where(m => m == n || (reach[n].Contains(m) && reach[m].Contains(n))).ToList();
            seen.UnionWith(component);
            if (component.Count > 1)
            {
                cycles.Add(component);
            }
        }
        return cycles;
    }

    private HashSet<string> Reachable(string start)
    {
        var result = new HashSet<string>();
        var stack = new Stack<string>([start]);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            foreach (var (edge, _) in _edges)
            {
                if (edge.From == n && result.Add(edge.To))
                {
                    stack.Push(edge.To);
                }
            }
        }
        return result;
    }

    private static bool InRoot(string ns, string root) => ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal);

    private static string NamespaceOf(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }
        return type.Namespace;
    }

    private sealed class Visitor(NamespaceGraph graph, string from, string fromType, string root)
    {
        public void Method(MethodDefinition method)
        {
            Type(method.ReturnType);
            Attributes(method.CustomAttributes);
            foreach (var p in method.Parameters)
            {
                Type(p.ParameterType);
            }
            if (!method.HasBody)
            {
                return;
            }
            foreach (var v in method.Body.Variables)
            {
                Type(v.VariableType);
            }
            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        Type(t);
                        break;
                    case MethodReference m:
                        MethodReference(m);
                        break;
                    case FieldReference f:
                        Type(f.DeclaringType);
                        Type(f.FieldType);
                        break;
                }
            }
        }

        public void Attributes(IEnumerable<CustomAttribute> attributes)
        {
            foreach (var a in attributes)
            {
                Type(a.AttributeType);
            }
        }

        private void MethodReference(MethodReference m)
        {
            Type(m.DeclaringType);
            Type(m.ReturnType);
            foreach (var p in m.Parameters)
            {
                Type(p.ParameterType);
            }
            if (m is GenericInstanceMethod g)
            {
                foreach (var a in g.GenericArguments)
                {
                    Type(a);
                }
            }
        }

        public void Type(TypeReference? type)
        {
            switch (type)
            {
                case null or GenericParameter:
                    return;
                case GenericInstanceType g:
                    Type(g.ElementType);
                    foreach (var a in g.GenericArguments)
                    {
                        Type(a);
                    }
                    return;
                case TypeSpecification s:
                    Type(s.ElementType);
                    return;
            }
            var to = NamespaceOf(type);
            if (to != from && InRoot(to, root))
            {
                graph._edges.TryAdd((from, to), $"{fromType} -> {type.FullName}");
            }
        }
    }
}
