package dev.flinksavepoints.engine.check;

import org.apache.flink.api.common.typeinfo.TypeInformation;
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

import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A source that emits nothing. Bounded: every reader ends at once (the check job finishes). Unbounded: the
 * readers idle until the job is stopped (a savepoint can be taken). It has no splits, so its state is empty.
 */
final class IdleSource<T> implements Source<T, IdleSource.NoSplit, Integer>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;
    private final boolean bounded;
    private final TypeInformation<T> type;

    IdleSource(boolean bounded, TypeInformation<T> type) {
        this.bounded = bounded;
        this.type = type;
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return type;
    }

    @Override
    public Boundedness getBoundedness() {
        return bounded ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<T, NoSplit> createReader(SourceReaderContext ctx) {
        return new Reader<>();
    }

    @Override
    public SplitEnumerator<NoSplit, Integer> createEnumerator(SplitEnumeratorContext<NoSplit> ctx) {
        return new Enumerator(ctx, bounded);
    }

    @Override
    public SplitEnumerator<NoSplit, Integer> restoreEnumerator(SplitEnumeratorContext<NoSplit> ctx, Integer state) {
        return new Enumerator(ctx, bounded);
    }

    @Override
    public SimpleVersionedSerializer<NoSplit> getSplitSerializer() {
        return new SimpleVersionedSerializer<NoSplit>() {
            public int getVersion() { return 1; }
            public byte[] serialize(NoSplit s) { return new byte[0]; }
            public NoSplit deserialize(int v, byte[] b) { return new NoSplit(); }
        };
    }

    @Override
    public SimpleVersionedSerializer<Integer> getEnumeratorCheckpointSerializer() {
        return new SimpleVersionedSerializer<Integer>() {
            public int getVersion() { return 1; }
            public byte[] serialize(Integer s) { return new byte[0]; }
            public Integer deserialize(int v, byte[] b) { return 0; }
        };
    }

    static final class NoSplit implements SourceSplit {
        public String splitId() { return "none"; }
    }

    static final class Enumerator implements SplitEnumerator<NoSplit, Integer> {
        private final SplitEnumeratorContext<NoSplit> ctx;
        private final boolean bounded;

        Enumerator(SplitEnumeratorContext<NoSplit> ctx, boolean bounded) {
            this.ctx = ctx;
            this.bounded = bounded;
        }

        public void start() {}
        public void handleSplitRequest(int subtask, String host) {}
        public void addSplitsBack(List<NoSplit> splits, int subtask) {}
        public void addReader(int subtask) {
            if (bounded) ctx.signalNoMoreSplits(subtask);
        }
        public Integer snapshotState(long checkpointId) { return 0; }
        public void close() {}
    }

    static final class Reader<T> implements SourceReader<T, NoSplit> {
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile boolean noMore;

        public void start() {}
        public InputStatus pollNext(ReaderOutput<T> out) {
            return noMore ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
        }
        public List<NoSplit> snapshotState(long checkpointId) { return Collections.emptyList(); }
        public CompletableFuture<Void> isAvailable() { return done; }
        public void addSplits(List<NoSplit> splits) {}
        public void notifyNoMoreSplits() {
            noMore = true;
            done.complete(null);
        }
        public void close() {}
    }
}
