using System.Buffers.Binary;
using k8s.Models;

namespace StreamList.Codec;

/// <summary>
/// Writes protobuf watch frames as the apiserver does: a 4-byte big-endian length, then a
/// <c>metav1.WatchEvent {type, object: RawExtension{raw: enveloped object}}</c>. Public for servers
/// and replay files that write what StreamList reads.
/// </summary>
public static class WatchEncoding
{
    /// <summary>The frame for one event (type ADDED, MODIFIED, DELETED, BOOKMARK or ERROR).</summary>
    /// <exception cref="ArgumentException">The object's type has no protobuf encoding.</exception>
    public static byte[] EncodeFrame(string type, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(value);
        var message = ListEncoding.EncodeMessage(new V1WatchEvent { Type = type, ObjectProperty = value });
        var frame = new byte[4 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)message.Length);
        message.CopyTo(frame, 4);
        return frame;
    }
}
