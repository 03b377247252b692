using System.Buffers.Binary;
using k8s.Models;

namespace StreamList.Wire;

/// <summary>
/// Writes protobuf watch frames as the apiserver does: a 4-byte big-endian length, then a
/// <c>metav1.WatchEvent {type, object: RawExtension{raw: enveloped object}}</c>.
/// </summary>
internal static class WatchEncoding
{
    /// <summary>The frame for one event (type ADDED, MODIFIED, DELETED, BOOKMARK or ERROR).</summary>
    public static byte[] EncodeFrame(string type, object value)
    {
        var message = ListEncoding.EncodeMessage(new V1WatchEvent { Type = type, ObjectProperty = value });
        var frame = new byte[4 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)message.Length);
        message.CopyTo(frame, 4);
        return frame;
    }
}
