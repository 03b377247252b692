using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using k8s.Models;
using StreamList.Testing.Fixture;
using StreamList.Watching;
using StreamList.Wire;

namespace StreamList.Testing.Server;

/// <summary>
/// The pods a fake API server holds: the lazy fixture (seed, initial count) plus overrides
/// (modified, deleted, created pods) and a resourceVersion counter.
/// </summary>
/// <remarks>
/// Contract: one lock orders writers; every mutation assigns the next resourceVersion(s), publishes
/// a new immutable <see cref="PodPopulationSnapshot"/> and then raises <see cref="Changed"/> once per
/// change, in resourceVersion order, still under the lock (so a watch hooked there sees changes
/// in order and never misses one between a snapshot and its subscription). Readers take
/// <see cref="Current"/> or a retained older snapshot without locking. Memory: untouched pods are
/// never stored, only a 4-byte protobuf length per initial pod once measured; overrides are
/// stored as objects.
/// </remarks>
public sealed class PodPopulation
{
    private readonly Lock _gate = new();
    private readonly int[] _baseLengths;
    private readonly Dictionary<long, PodPopulationSnapshot> _history = [];
    private readonly Queue<long> _historyOrder = new();
    private readonly int _retained;
    private volatile PodPopulationSnapshot _current;
    private readonly ResourceVersionSignal _signal;

    /// <summary>Creates the population of pods <c>0..count-1</c> of <paramref name="seed"/>.</summary>
    /// <param name="seed">The fixture seed.</param>
    /// <param name="count">Initial pods.</param>
    /// <param name="retainedSnapshots">How many past snapshots (list resourceVersions) stay servable for
    /// continue tokens and exact-version lists before they are compacted away (at least 1: the current one).</param>
    public PodPopulation(int seed, int count, int retainedSnapshots = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(retainedSnapshots);
        Seed = seed;
        InitialCount = count;
        _retained = retainedSnapshots;
        _baseLengths = new int[count];
        // The initial list's resourceVersion is the newest item's: pod i has FirstResourceVersion + i.
        _current = new PodPopulationSnapshot(this, PodFixture.FirstResourceVersion + Math.Max(count - 1, 0), count, count,
            ImmutableDictionary<int, PodEntry>.Empty, ImmutableSortedSet<int>.Empty);
        Retain(_current);
        _signal = new ResourceVersionSignal(_gate, () => _current.ResourceVersion);
    }

    /// <summary>The fixture seed.</summary>
    public int Seed { get; }

    /// <summary>Pods at creation (slots <c>0..InitialCount-1</c> are fixture pods until changed).</summary>
    public int InitialCount { get; }

    /// <summary>The state now.</summary>
    public PodPopulationSnapshot Current => _current;

    /// <summary>The current resourceVersion.</summary>
    public long ResourceVersion => _current.ResourceVersion;

    /// <summary>Live pods now.</summary>
    public int Count => _current.Count;

    /// <summary>
    /// Raised after each committed change, in resourceVersion order, under the writer lock: a
    /// handler must be quick and must not mutate the population.
    /// </summary>
    public event Action<PodChange>? Changed;

    /// <summary>
    /// Raised by <see cref="Restore"/> under the writer lock with the restored state, before any later
    /// change: the resourceVersion went back, and versions after it will be assigned again.
    /// </summary>
    public event Action<PodPopulationSnapshot>? Restored;

    /// <summary>The snapshot at <paramref name="resourceVersion"/> if it is still retained.</summary>
    public bool TryGetSnapshot(long resourceVersion, [NotNullWhen(true)] out PodPopulationSnapshot? snapshot)
    {
        lock (_gate)
            return _history.TryGetValue(resourceVersion, out snapshot);
    }

    /// <summary>
    /// The state at <paramref name="resourceVersion"/> for an exact read: the newest retained snapshot at
    /// or below it (the changes of one batch share the batch's snapshot), provided no compaction passed
    /// it (a retained snapshot at or above it exists, so nothing between was forgotten).
    /// </summary>
    public bool TryGetSnapshotAtOrBelow(long resourceVersion, [NotNullWhen(true)] out PodPopulationSnapshot? snapshot)
    {
        lock (_gate)
        {
            snapshot = null;
            long best = long.MinValue;
            bool covered = false;
            foreach (long rv in _history.Keys)
            {
                if (rv <= resourceVersion && rv > best)
                    best = rv;
                covered |= rv >= resourceVersion;
            }
            return covered && best != long.MinValue && _history.TryGetValue(best, out snapshot);
        }
    }

    /// <summary>Forgets every snapshot but the current one: older continue tokens and exact lists now get 410 Expired.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _history.Clear();
            _historyOrder.Clear();
            Retain(_current);
        }
    }

    /// <summary>
    /// Goes back to the retained snapshot at <paramref name="resourceVersion"/>, as an etcd restored
    /// from a backup does: every change after it is lost, snapshots after it are forgotten, and the
    /// next change is <paramref name="resourceVersion"/> + 1 again.
    /// </summary>
    /// <exception cref="ArgumentException">That snapshot is not retained (compacted, or never published).</exception>
    public void Restore(long resourceVersion)
    {
        lock (_gate)
        {
            if (!_history.TryGetValue(resourceVersion, out var snapshot))
                throw new ArgumentException($"resourceVersion {resourceVersion} is not a retained snapshot", nameof(resourceVersion));
            foreach (long newer in _historyOrder.Where(rv => rv > resourceVersion).ToList())
                _history.Remove(newer);
            var kept = _historyOrder.Where(rv => rv <= resourceVersion).ToList();
            _historyOrder.Clear();
            foreach (long rv in kept)
                _historyOrder.Enqueue(rv);
            _current = snapshot;
            Restored?.Invoke(snapshot);
            Signal();
        }
    }

    /// <summary>
    /// Waits until the resourceVersion is at least <paramref name="resourceVersion"/>, at most
    /// <paramref name="timeout"/> on <paramref name="time"/>'s clock; true when it got there.
    /// </summary>
    public Task<bool> WaitForAsync(long resourceVersion, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken = default)
    {
        return _signal.WaitForAsync(resourceVersion, timeout, time, cancellationToken);
    }

    /// <summary>Modifies the pod in slot <paramref name="index"/> the fixture's way (<see cref="PodFixture.Modify"/>).</summary>
    /// <exception cref="KeyNotFoundException">The slot holds no pod.</exception>
    public PodChange Modify(int index) => Mutate(batch => batch.Modify(index, null))[0];

    /// <summary>
    /// Replaces the pod in slot <paramref name="index"/> with <paramref name="pod"/>. The population
    /// takes the object (do not change it afterwards) and sets its resourceVersion.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The slot holds no pod.</exception>
    public PodChange Replace(int index, V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return Mutate(batch => batch.Modify(index, pod))[0];
    }

    /// <summary>Deletes the pod in slot <paramref name="index"/>.</summary>
    /// <exception cref="KeyNotFoundException">The slot holds no pod.</exception>
    public PodChange Delete(int index) => Mutate(batch => batch.Delete(index))[0];

    /// <summary>Creates the next fixture pod in a new slot (new name and uid).</summary>
    public PodChange Create() => Mutate(batch => batch.Create(null))[0];

    /// <summary>Adds <paramref name="pod"/> in a new slot; the population takes the object and sets its resourceVersion.</summary>
    public PodChange Create(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return Mutate(batch => batch.Create(pod))[0];
    }

    /// <summary>
    /// Applies one round of churn (docs/fixture.md, <see cref="FixtureChurn.Plan"/>):
    /// <paramref name="churnPercent"/>% of live pods modified, a tenth of that deleted, as many
    /// created; modifications first, then deletions, then creations, each its own resourceVersion,
    /// published as one snapshot. Deterministic for (seed, percent, round) and the current state.
    /// </summary>
    public ChurnResult ApplyChurn(double churnPercent, int round)
    {
        var changes = Mutate(batch =>
        {
            var live = batch.LiveIndexes();
            var plan = FixtureChurn.Plan(Seed, churnPercent, round, live.Length);
            foreach (int position in plan.Modified)
                batch.Modify(live[position], null);
            foreach (int position in plan.Deleted)
                batch.Delete(live[position]);
            for (int i = 0; i < plan.Created; i++)
                batch.Create(null);
        });
        int modified = changes.Count(c => c.Type == WatchEventKind.Modified);
        int deleted = changes.Count(c => c.Type == WatchEventKind.Deleted);
        return new ChurnResult(modified, deleted, changes.Count - modified - deleted, ResourceVersion);
    }

    /// <summary>Measures the protobuf length of every untouched initial pod now, on all cores, so the first list does not.</summary>
    public void MeasureAll(CancellationToken cancellationToken = default)
    {
        Parallel.For(0, InitialCount, new ParallelOptions { CancellationToken = cancellationToken },
            () => new ArrayBufferWriter<byte>(), (i, _, w) =>
            {
                BaseMessageLength(i, w);
                return w;
            }, _ => { });
    }

    /// <summary>The protobuf message length of untouched fixture pod <paramref name="index"/>, measured once.</summary>
    internal int BaseMessageLength(int index, ArrayBufferWriter<byte> scratch)
    {
        int n = Volatile.Read(ref _baseLengths[index]);
        if (n == 0)
        {
            PodPopulationSnapshot.Encode(scratch, PodFixture.Create(Seed, index));
            n = scratch.WrittenCount;
            Volatile.Write(ref _baseLengths[index], n);
        }
        return n;
    }

    private List<PodChange> Mutate(Action<Batch> apply)
    {
        lock (_gate)
        {
            var batch = new Batch(this, _current);
            apply(batch);
            if (batch.Changes.Count == 0)
                return batch.Changes;
            _current = batch.Publish();
            Retain(_current);
            var handlers = Changed;
            if (handlers is not null)
            {
                foreach (var change in batch.Changes)
                    handlers(change);
            }
            Signal();
            return batch.Changes;
        }
    }

    /// <summary>Wakes <see cref="WaitForAsync"/> callers (under the lock).</summary>
    private void Signal()
    {
        _signal.Moved(); // waiters resume asynchronously: never under this lock
    }

    private void Retain(PodPopulationSnapshot snapshot)
    {
        _history[snapshot.ResourceVersion] = snapshot;
        _historyOrder.Enqueue(snapshot.ResourceVersion);
        while (_historyOrder.Count > _retained)
            _history.Remove(_historyOrder.Dequeue());
    }

    /// <summary>Changes under construction on top of one snapshot; only used under the lock.</summary>
    private sealed class Batch(PodPopulation owner, PodPopulationSnapshot from)
    {
        private readonly ImmutableDictionary<int, PodEntry>.Builder _overrides = from.Overrides.ToBuilder();
        private readonly ImmutableSortedSet<int>.Builder _deleted = from.DeletedSlots.ToBuilder();
        private readonly ArrayBufferWriter<byte> _scratch = new();
        private long _rv = from.ResourceVersion;
        private int _slots = from.SlotCount;
        private int _count = from.Count;

        public List<PodChange> Changes { get; } = [];

        public void Modify(int index, V1Pod? replacement)
        {
            var current = Current(index);
            long rv = ++_rv;
            var pod = replacement ?? PodFixture.Modify(current, rv);
            SetVersion(pod, rv);
            Store(index, pod);
            Changes.Add(new PodChange(WatchEventKind.Modified, index, pod, rv));
        }

        public void Delete(int index)
        {
            var current = Current(index);
            long rv = ++_rv;
            // The last state, at the deletion's version, as a DELETED watch event carries it.
            var last = _overrides.ContainsKey(index) ? PodFixture.Copy(current) : current;
            SetVersion(last, rv);
            _overrides[index] = PodEntry.Deleted;
            _deleted.Add(index);
            _count--;
            Changes.Add(new PodChange(WatchEventKind.Deleted, index, last, rv));
        }

        public void Create(V1Pod? pod)
        {
            int index = _slots++;
            long rv = ++_rv;
            pod ??= PodFixture.Create(owner.Seed, index);
            SetVersion(pod, rv);
            Store(index, pod);
            _count++;
            Changes.Add(new PodChange(WatchEventKind.Added, index, pod, rv));
        }

        /// <summary>Live slot indexes in order (what churn positions count).</summary>
        public int[] LiveIndexes()
        {
            var live = new int[_count];
            int n = 0;
            using var deleted = _deleted.GetEnumerator();
            bool more = deleted.MoveNext();
            for (int i = 0; i < _slots; i++)
            {
                if (more && deleted.Current == i)
                {
                    more = deleted.MoveNext();
                    continue;
                }
                live[n++] = i;
            }
            return live;
        }

        public PodPopulationSnapshot Publish() =>
            new(owner, _rv, _slots, _count, _overrides.ToImmutable(), _deleted.ToImmutable());

        private V1Pod Current(int index)
        {
            if ((uint)index < (uint)_slots)
            {
                if (!_overrides.TryGetValue(index, out var entry))
                    return PodFixture.Create(owner.Seed, index);
                if (entry.Pod is not null)
                    return entry.Pod;
            }
            throw new KeyNotFoundException($"slot {index} holds no pod");
        }

        private void Store(int index, V1Pod pod)
        {
            PodPopulationSnapshot.Encode(_scratch, pod);
            _overrides[index] = new PodEntry(pod, _scratch.WrittenCount);
        }

        private static void SetVersion(V1Pod pod, long rv) =>
            (pod.Metadata ??= new V1ObjectMeta()).ResourceVersion = rv.ToString(CultureInfo.InvariantCulture);
    }
}
