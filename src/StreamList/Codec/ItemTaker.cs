using System.Buffers;

namespace StreamList.Codec;

/// <summary>
/// Offered one object before a built-in protobuf reader decodes it: its identity (read from its
/// metadata without decoding the rest) and its message body (the object's protobuf bytes without
/// the <c>k8s\0</c> envelope: exactly a list item's bytes, or a watch event object's raw bytes).
/// Return true to take the object: the reader then neither decodes nor yields it. The informer
/// takes what it already holds unchanged, and a compact store keeps a copy of the bytes instead
/// of an object. <paramref name="message"/> is valid only during the call (it is a slice of the
/// reader's buffers): a taker that keeps it copies it.
/// </summary>
/// <param name="identity">Namespace, name, uid and resourceVersion.</param>
/// <param name="message">The object's message body, valid during the call only.</param>
/// <returns>True when taken (not decoded, not yielded).</returns>
public delegate bool ItemTaker(ItemIdentity identity, ReadOnlySequence<byte> message);
