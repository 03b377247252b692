using StreamList.Codec;
using StreamList.Memory;
using StreamList.Testing.Fixture;
using StreamList.Tests.Support;

namespace StreamList.Tests.Memory;

/// <summary>
/// A compressed store's messages: kept as they are until the dictionary is trained from them, then
/// zstd with it; every message restores byte for byte (every real fixture, from any thread); a
/// change of shape that makes the ratio degrade trains a new dictionary, and what was compressed
/// with the old one still restores.
/// </summary>
public class TrainedCompressionTests
{
    private static byte[] Pod(int i) => ListEncoding.EncodeMessage(PodFixture.Create(3, i));

    [Fact]
    public void Messages_stay_as_they_are_until_the_dictionary_is_trained_then_compress_several_fold()
    {
        var compression = new TrainedCompression(samplesToTrain: 200);
        var pods = Enumerable.Range(0, 400).Select(Pod).ToArray();
        var packed = pods.Select(compression.Pack).ToArray();

        Assert.All(packed.Take(199).Zip(pods), p => Assert.Same(p.Second, p.First));
        Assert.All(packed.Skip(199), p => Assert.IsType<CompressedMessage>(p));
        Assert.Equal(1, compression.Trainings);
        long wire = pods.Skip(199).Sum(p => (long)p.Length);
        long stored = packed.Skip(199).Sum(p => (long)((CompressedMessage)p).Data.Length);
        Assert.True(stored * 4 < wire, $"{stored} bytes stored for {wire} on the wire");
        Assert.All(packed.Zip(pods), p => Assert.Equal(p.Second, Payloads.Plain(p.First)));
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Every_real_fixture_restores_byte_for_byte_with_a_pod_dictionary_and_without_one(string name)
    {
        var message = ProtoBytes.Open(Fixtures.Protobuf(name)).Raw;
        var trained = new TrainedCompression(samplesToTrain: 100);
        foreach (var pod in Enumerable.Range(0, 100).Select(Pod))
            trained.Pack(pod);
        var withDictionary = trained.Pack(message);
        Assert.IsType<CompressedMessage>(withDictionary);
        Assert.Equal(message, Payloads.Plain(withDictionary));

        // Too little material for a dictionary: plain zstd.
        var untrained = new TrainedCompression(samplesToTrain: 1);
        var plain = untrained.Pack(message);
        Assert.Equal(0, ((CompressedMessage)plain).Dictionary.Size);
        Assert.Equal(message, Payloads.Plain(plain));
    }

    public static TheoryData<string> FixtureNames => Fixtures.All();

    [Fact]
    public void A_collection_that_changes_shape_trains_a_new_dictionary_and_old_messages_still_restore()
    {
        var compression = new TrainedCompression(samplesToTrain: 100, window: 100);
        var before = Enumerable.Range(0, 400).Select(Pod).ToArray();
        var packedBefore = before.Select(compression.Pack).ToArray();
        Assert.Equal(1, compression.Trainings);

        // Another shape: annotation values the pod dictionary has never seen, each once per object
        // (nothing to find within a message) but the same in every object (a new dictionary learns them).
        var random = new Random(7);
        var values = Enumerable.Range(0, 20).Select(_ => new string([.. Enumerable.Range(0, 60).Select(_ => (char)random.Next('!', '~'))])).ToArray();
        var other = Enumerable.Range(0, 400).Select(i =>
        {
            var pod = SmallObjects.Pod(i);
            pod.Metadata.Annotations = Enumerable.Range(0, 20).ToDictionary(k => $"example.com/key-{k}", k => values[k]);
            return ListEncoding.EncodeMessage(pod);
        }).ToArray();
        var packedOther = other.Select(compression.Pack).ToArray();

        Assert.Equal(2, compression.Trainings);
        Assert.All(packedBefore.Zip(before), p => Assert.Equal(p.Second, Payloads.Plain(p.First)));
        Assert.All(packedOther.Zip(other), p => Assert.Equal(p.Second, Payloads.Plain(p.First)));
        var dictionaries = packedOther.Cast<CompressedMessage>().Select(m => m.Dictionary).Distinct().Count();
        Assert.Equal(2, dictionaries);
    }

    [Fact]
    public async Task Readers_on_many_threads_restore_the_same_bytes()
    {
        var compression = new TrainedCompression(samplesToTrain: 50);
        var pods = Enumerable.Range(0, 300).Select(Pod).ToArray();
        var packed = pods.Select(compression.Pack).ToArray();
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int round = 0; round < 5; round++)
                for (int i = 0; i < pods.Length; i++)
                    Assert.True(pods[i].AsSpan().SequenceEqual(Payloads.Plain(packed[i])));
        }));
        await Task.WhenAll(readers);
    }
}
