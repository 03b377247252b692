using System.Buffers;
using System.IO.Pipelines;
using k8s.Models;
using StreamList.Listing;
using StreamList.Tests.Support;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Tests.Listing;

/// <summary>
/// A list body larger than 2 GiB (raw's length needs more than 31 bits), generated as it is read:
/// the reader must stream it with at most one item plus a read window buffered.
/// </summary>
public class MultiGigabyteListTests
{
    [Fact]
    public async Task A_2_2_GB_body_streams_with_one_item_plus_64_KiB_buffered()
    {
        const int itemCount = 36_000;
        var blob = new byte[60_000];
        new Random(7).NextBytes(blob);
        var item = ListEncoding.EncodeMessage(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "big", NamespaceProperty = "default" },
            BinaryData = new Dictionary<string, byte[]> { ["blob"] = blob },
        });
        long itemBytes = itemCount * ListEncoding.ItemFieldSize(item.Length);
        Assert.True(itemBytes > int.MaxValue);

        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
        var writer = Task.Run(async () =>
        {
            ListEncoding.WritePrefix(pipe.Writer, "v1", "ConfigMapList", new V1ListMeta { ResourceVersion = "42" }, itemBytes);
            var framed = new ArrayBufferWriter<byte>(item.Length + 8);
            ListEncoding.WriteItem(framed, item);
            var bytes = framed.WrittenMemory;
            for (int i = 0; i < itemCount; i++)
            {
                // Arrive in 16 KiB pieces, as a socket delivers them.
                for (int at = 0; at < bytes.Length; at += 16 * 1024)
                    await pipe.Writer.WriteAsync(bytes[at..Math.Min(bytes.Length, at + 16 * 1024)]);
            }
            pipe.Writer.Write(ListEncoding.Suffix);
            await pipe.Writer.CompleteAsync();
        });

        var reader = new MeasuringPipeReader(pipe.Reader);
        var progress = new ListProgress();
        long count = 0;
        await foreach (var cm in ProtobufListReader.ReadAsync<V1ConfigMap>(reader, progress, DecodeOptions.Default, CancellationToken.None))
        {
            Assert.Equal(60_000, cm.BinaryData["blob"].Length);
            count++;
        }
        await writer;

        Assert.Equal(itemCount, count);
        Assert.True(progress.Complete);
        Assert.Equal("42", progress.Metadata?.ResourceVersion);
        Assert.True(progress.Bytes > int.MaxValue);
        Assert.True(reader.MaxBuffered <= item.Length + 64 * 1024,
            $"largest buffer {reader.MaxBuffered} bytes > item {item.Length} + 64 KiB");
    }
}
