using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>
/// Who an object is, read from its metadata without decoding the rest: what a relist needs to
/// recognise an object it already holds (same uid and resourceVersion) and skip building it.
/// </summary>
/// <param name="Namespace">metadata.namespace (empty for a cluster-scoped object).</param>
/// <param name="Name">metadata.name.</param>
/// <param name="Uid">metadata.uid.</param>
/// <param name="ResourceVersion">metadata.resourceVersion.</param>
public readonly record struct ItemIdentity(string Namespace, string Name, string Uid, string ResourceVersion)
{
    /// <summary>
    /// Reads name, namespace, uid and resourceVersion from an object's message body (metadata is
    /// field 1 of every top-level Kubernetes message), and where the metadata field's record (tag,
    /// length and content) lies in <paramref name="message"/>: on its own, the message body of the
    /// object with nothing but its metadata. False when the bytes are not well-formed: the caller
    /// then decodes normally and reports the error with its path.
    /// </summary>
    internal static bool TryPeek(ReadOnlySpan<byte> message, out ItemIdentity identity, out Range metadataRecord)
    {
        identity = default;
        metadataRecord = default;
        try
        {
            var r = new ProtoReader(message);
            while (true)
            {
                int recordStart = r.Position;
                if (!r.TryReadTag(out uint tag))
                    break;
                if (tag != ((1 << 3) | (uint)WireType.LengthDelimited))
                {
                    r.SkipField(tag);
                    continue;
                }
                int saved = r.EnterMessage();
                string name = "", ns = "", uid = "", rv = "";
                while (r.TryReadTag(out uint t))
                {
                    switch (t)
                    {
                        case (1 << 3) | 2: name = r.ReadString(); break;
                        case (3 << 3) | 2: ns = r.ReadString(); break;
                        case (5 << 3) | 2: uid = r.ReadString(); break;
                        case (6 << 3) | 2: rv = r.ReadString(); break;
                        default: r.SkipField(t); break;
                    }
                }
                r.ExitMessage(saved);
                identity = new ItemIdentity(ns, name, uid, rv);
                metadataRecord = recordStart..r.Position;
                return true;
            }
            return false;
        }
        catch (KubernetesWireException)
        {
            return false;
        }
    }
}
