package dev.flinksavepoints.legacy;

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

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A FLIP-27 source (the source API every release from 1.13 to 2.x shares) with a single split that
 * emits {@code 0 .. count-1} once and then stays idle without finishing, so the savepoint is taken
 * after every record went through and no end of input fires timers or windows. Its parallelism is 1.
 *
 * <p>Its split state has the layout of engine/runtime's corpus source (serializer version 1:
 * {@code i32 index | i32 stride | i64 emitted}, here always index 0 of stride 1), which the reader
 * decodes; the enumerator state is the number of splits handed out ({@code i32}).
 */
final class IdSource implements Source<Long, IdSource.Split, Integer>, ResultTypeQueryable<Long> {
    private static final long serialVersionUID = 1L;

    /** Records emitted by every reader in this JVM; the runner waits until all are out. */
    static final AtomicLong EMITTED = new AtomicLong();

    private final long count;

    IdSource(long count) {
        this.count = count;
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
    public SourceReader<Long, Split> createReader(SourceReaderContext context) {
        return new Reader(count);
    }

    @Override
    public SplitEnumerator<Split, Integer> createEnumerator(SplitEnumeratorContext<Split> context) {
        return new Enumerator(context, false);
    }

    @Override
    public SplitEnumerator<Split, Integer> restoreEnumerator(SplitEnumeratorContext<Split> context, Integer handedOut) {
        return new Enumerator(context, handedOut > 0);
    }

    @Override
    public SimpleVersionedSerializer<Split> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Integer> getEnumeratorCheckpointSerializer() {
        return new HandedOutSerializer();
    }

    /** The one split (index 0 of stride 1); {@code next} is the next id to emit, i.e. the ids emitted. */
    static final class Split implements SourceSplit {
        final long next;

        Split(long next) {
            this.next = next;
        }

        @Override
        public String splitId() {
            return "ids-0";
        }
    }

    static final class SplitSerializer implements SimpleVersionedSerializer<Split> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Split split) {
            return ByteBuffer.allocate(16).putInt(0).putInt(1).putLong(split.next).array();
        }

        @Override
        public Split deserialize(int version, byte[] bytes) {
            return new Split(ByteBuffer.wrap(bytes).getLong(8));
        }
    }

    static final class HandedOutSerializer implements SimpleVersionedSerializer<Integer> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Integer handedOut) {
            return ByteBuffer.allocate(4).putInt(handedOut).array();
        }

        @Override
        public Integer deserialize(int version, byte[] bytes) {
            return ByteBuffer.wrap(bytes).getInt();
        }
    }

    /** Hands the split to reader 0 once. */
    static final class Enumerator implements SplitEnumerator<Split, Integer> {
        private final SplitEnumeratorContext<Split> context;
        private boolean handedOut;

        Enumerator(SplitEnumeratorContext<Split> context, boolean handedOut) {
            this.context = context;
            this.handedOut = handedOut;
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtask, String host) {}

        @Override
        public void addSplitsBack(List<Split> splits, int subtask) {
            for (Split s : splits) context.assignSplit(s, subtask);
        }

        @Override
        public void addReader(int subtask) {
            if (subtask == 0 && !handedOut) {
                handedOut = true;
                context.assignSplit(new Split(0), 0);
            }
        }

        @Override
        public Integer snapshotState(long checkpointId) {
            return handedOut ? 1 : 0;
        }

        @Override
        public void close() {}
    }

    /** Emits the split's ids, then reports NOTHING_AVAILABLE with a future that never completes. */
    static final class Reader implements SourceReader<Long, Split> {
        private final long count;
        private final List<Split> splits = new ArrayList<>();
        private CompletableFuture<Void> available = new CompletableFuture<>();

        Reader(long count) {
            this.count = count;
        }

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<Long> output) {
            for (int i = 0; i < splits.size(); i++) {
                Split s = splits.get(i);
                if (s.next < count) {
                    output.collect(s.next);
                    splits.set(i, new Split(s.next + 1));
                    EMITTED.incrementAndGet();
                    return InputStatus.MORE_AVAILABLE;
                }
            }
            if (available.isDone()) available = new CompletableFuture<>();
            return InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<Split> snapshotState(long checkpointId) {
            return new ArrayList<>(splits);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return available;
        }

        @Override
        public void addSplits(List<Split> added) {
            splits.addAll(added);
            available.complete(null);
        }

        @Override
        public void notifyNoMoreSplits() {}

        @Override
        public void close() {}
    }
}
