using System.IO.Pipelines;

namespace StreamList.Tests.Support;

/// <summary>Wraps a <see cref="PipeReader"/> and records the largest buffer any read returned.</summary>
public sealed class MeasuringPipeReader(PipeReader inner) : PipeReader
{
    public long MaxBuffered { get; private set; }

    public long Reads { get; private set; }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var result = await inner.ReadAsync(cancellationToken);
        Reads++;
        MaxBuffered = Math.Max(MaxBuffered, result.Buffer.Length);
        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        bool ok = inner.TryRead(out result);
        if (ok)
            MaxBuffered = Math.Max(MaxBuffered, result.Buffer.Length);
        return ok;
    }

    public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);
}
