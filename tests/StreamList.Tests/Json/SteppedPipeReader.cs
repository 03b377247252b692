using System.Buffers;
using System.IO.Pipelines;

namespace StreamList.Tests.Json;

/// <summary>
/// A <see cref="PipeReader"/> over fixed bytes that behaves like a socket behind a pipe, but
/// deterministically: a read hands out at most <c>window</c> new bytes, and only once the caller
/// has examined everything it was given; the bytes sit in segments of <c>segmentSize</c>, so
/// the multi-segment paths run. It records the largest buffer a read returned
/// (<see cref="MaxBuffered"/>) and enforces the AdvanceTo discipline: one AdvanceTo per read,
/// consumed ≤ examined, neither moving backwards, and no read again after a completed result
/// that was examined to its end without consuming anything, and no read again after an
/// AdvanceTo that moved neither position while unexamined bytes remain (both would spin).
/// </summary>
internal sealed class SteppedPipeReader : PipeReader
{
    private readonly ReadOnlySequence<byte> _data;
    private readonly int _window;
    private readonly Exception? _error;
    private long _consumed;
    private long _examined;
    private long _available;
    private bool _reading;
    private bool _sawCompletedAndExamined;
    private bool _advanced = true;

    public SteppedPipeReader(ReadOnlyMemory<byte> data, int window, int segmentSize = 7, Exception? error = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segmentSize);
        _data = Segment.Build(data, segmentSize);
        _window = window;
        _error = error;
    }

    /// <summary>The most bytes one read handed to the caller (unconsumed + new).</summary>
    public long MaxBuffered { get; private set; }

    /// <summary>Bytes made available so far (the rest was never read from the "socket").</summary>
    public long Delivered => _available;

    public int Reads { get; private set; }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Next());
    }

    public override bool TryRead(out ReadResult result)
    {
        result = Next();
        return true;
    }

    private ReadResult Next()
    {
        if (_reading)
            throw new InvalidOperationException("ReadAsync called again before AdvanceTo");
        if (_examined == _available)
        {
            if (_available == _data.Length)
            {
                if (_error is not null)
                    throw _error;
                if (_sawCompletedAndExamined)
                    throw new InvalidOperationException("read again after a completed result was fully examined");
            }
            _available = Math.Min(_data.Length, _available + _window);
        }
        else if (!_advanced)
        {
            throw new InvalidOperationException("read again without consuming or examining anything new: a busy loop");
        }
        _reading = true;
        Reads++;
        var buffer = _data.Slice(_consumed, _available - _consumed);
        MaxBuffered = Math.Max(MaxBuffered, buffer.Length);
        return new ReadResult(buffer, isCanceled: false, isCompleted: _available == _data.Length && _error is null);
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (!_reading)
            throw new InvalidOperationException("AdvanceTo without a read");
        _reading = false;
        long c = _data.GetOffset(consumed), e = _data.GetOffset(examined);
        if (c > e)
            throw new InvalidOperationException($"consumed {c} is past examined {e}");
        if (c < _consumed)
            throw new InvalidOperationException($"consumed moved back from {_consumed} to {c}");
        if (e < _examined)
            throw new InvalidOperationException($"examined moved back from {_examined} to {e}");
        if (e > _available)
            throw new InvalidOperationException($"examined {e} is past the buffer end {_available}");
        // A completed result examined to its end with no progress: reading again would spin.
        if (_available == _data.Length && _error is null && e == _available && c == _consumed)
            _sawCompletedAndExamined = true;
        _advanced = c > _consumed || e > _examined;
        _consumed = c;
        _examined = e;
    }

    public override void CancelPendingRead()
    {
    }

    public override void Complete(Exception? exception = null)
    {
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        private Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Build(ReadOnlyMemory<byte> data, int size)
        {
            if (data.Length <= size)
                return new ReadOnlySequence<byte>(data);
            var first = new Segment(data[..size], 0);
            var last = first;
            for (int i = size; i < data.Length; i += size)
            {
                var next = new Segment(data[i..Math.Min(data.Length, i + size)], i);
                last.Next = next;
                last = next;
            }
            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
