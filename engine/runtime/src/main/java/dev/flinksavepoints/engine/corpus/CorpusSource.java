package dev.flinksavepoints.engine.corpus;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A FLIP-27 source that emits the ids {@code 0 .. count-1} exactly once and then stays idle (never
 * finishes), so a savepoint can be taken with every record processed and nothing fired by an end of
 * input. Split {@code i} of {@code n} emits the ids {@code i, i+n, i+2n, …}; its state is the number of
 * ids already emitted, so after the last id the split state is fixed and deterministic.
 */
public final class CorpusSource
        implements Source<Long, CorpusSource.IdSplit, Integer>, ResultTypeQueryable<Long> {
    private static final long serialVersionUID = 1L;

    /** Ids emitted by all readers in this JVM; the runner waits for it to reach the expected count. */
    public static final AtomicLong EMITTED = new AtomicLong();

    private final long count;
    private final int splits;

    public CorpusSource(long count, int splits) {
        this.count = count;
        this.splits = splits;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public TypeInformation<Long> getProducedType() {
        return Types.LONG;
    }

    @Override
    public SourceReader<Long, IdSplit> createReader(SourceReaderContext ctx) {
        return new Reader(count);
    }

    @Override
    public SplitEnumerator<IdSplit, Integer> createEnumerator(SplitEnumeratorContext<IdSplit> ctx) {
        return new Enumerator(ctx, splits, new TreeSet<>());
    }

    @Override
    public SplitEnumerator<IdSplit, Integer> restoreEnumerator(SplitEnumeratorContext<IdSplit> ctx, Integer assigned) {
        TreeSet<Integer> done = new TreeSet<>();
        for (int i = 0; i < assigned; i++) done.add(i);
        return new Enumerator(ctx, splits, done);
    }

    @Override
    public SimpleVersionedSerializer<IdSplit> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Integer> getEnumeratorCheckpointSerializer() {
        return new EnumSerializer();
    }

    /** One stride of ids. */
    public static final class IdSplit implements SourceSplit {
        final int index;
        final int stride;
        final long emitted;

        IdSplit(int index, int stride, long emitted) {
            this.index = index;
            this.stride = stride;
            this.emitted = emitted;
        }

        @Override
        public String splitId() {
            return "ids-" + index;
        }
    }

    static final class SplitSerializer implements SimpleVersionedSerializer<IdSplit> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(IdSplit s) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(16);
            out.writeInt(s.index);
            out.writeInt(s.stride);
            out.writeLong(s.emitted);
            return out.getCopyOfBuffer();
        }

        @Override
        public IdSplit deserialize(int version, byte[] bytes) throws IOException {
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            return new IdSplit(in.readInt(), in.readInt(), in.readLong());
        }
    }

    static final class EnumSerializer implements SimpleVersionedSerializer<Integer> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Integer v) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(4);
            out.writeInt(v);
            return out.getCopyOfBuffer();
        }

        @Override
        public Integer deserialize(int version, byte[] bytes) throws IOException {
            return new DataInputDeserializer(bytes).readInt();
        }
    }

    /** Assigns split i to reader i; the checkpoint is the number of splits handed out. */
    static final class Enumerator implements SplitEnumerator<IdSplit, Integer> {
        private final SplitEnumeratorContext<IdSplit> ctx;
        private final int splits;
        private final TreeSet<Integer> assigned;

        Enumerator(SplitEnumeratorContext<IdSplit> ctx, int splits, TreeSet<Integer> assigned) {
            this.ctx = ctx;
            this.splits = splits;
            this.assigned = assigned;
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {}

        @Override
        public void addSplitsBack(List<IdSplit> back, int subtaskId) {
            for (IdSplit s : back) ctx.assignSplit(s, subtaskId);
        }

        @Override
        public void addReader(int subtaskId) {
            if (subtaskId < splits && assigned.add(subtaskId)) {
                ctx.assignSplit(new IdSplit(subtaskId, splits, 0), subtaskId);
            }
        }

        @Override
        public Integer snapshotState(long checkpointId) {
            return assigned.size();
        }

        @Override
        public void close() {}
    }

    /** Emits its splits' ids, then reports NOTHING_AVAILABLE forever. */
    static final class Reader implements SourceReader<Long, IdSplit> {
        private final long count;
        private final List<IdSplit> splits = new ArrayList<>();
        private CompletableFuture<Void> available = new CompletableFuture<>();

        Reader(long count) {
            this.count = count;
        }

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<Long> output) {
            for (int i = 0; i < splits.size(); i++) {
                IdSplit s = splits.get(i);
                long id = s.index + s.emitted * s.stride;
                if (id < count) {
                    output.collect(id);
                    splits.set(i, new IdSplit(s.index, s.stride, s.emitted + 1));
                    EMITTED.incrementAndGet();
                    return InputStatus.MORE_AVAILABLE;
                }
            }
            if (available.isDone()) available = new CompletableFuture<>();
            return InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<IdSplit> snapshotState(long checkpointId) {
            return new ArrayList<>(splits);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return available;
        }

        @Override
        public void addSplits(List<IdSplit> added) {
            splits.addAll(added);
            available.complete(null);
        }

        @Override
        public void notifyNoMoreSplits() {}

        @Override
        public void close() {}
    }
}
