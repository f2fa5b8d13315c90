package dev.flinksavepoints.engine.dump;

import dev.flinksavepoints.engine.compat.DumpCompat;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.state.CheckpointStateOutputStream;
import org.apache.flink.runtime.state.CheckpointStorageLocationReference;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.CheckpointedStateScope;
import org.apache.flink.runtime.state.KeyGroupsSavepointStateHandle;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SavepointResources;
import org.apache.flink.runtime.state.SavepointSnapshotStrategy;
import org.apache.flink.runtime.state.SnapshotExecutionType;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.SnapshotStrategyRunner;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;

import org.apache.flink.core.fs.FSDataInputStream;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.RunnableFuture;

/**
 * The key groups of a hashmap (heap) backend checkpoint, read with Flink's own code: a
 * HeapKeyedStateBackend is restored from the checkpoint's handle (HeapRestoreOperation), then the
 * restored backend writes a canonical savepoint of its state into memory (SavepointSnapshotStrategy),
 * which the dump reads like any canonical savepoint's handle: the same lines in the same order.
 */
final class HeapCheckpoint {
    private HeapCheckpoint() {}

    /**
     * A checkpoint key-group handle in the heap layout: the heap backend writes every key group of its
     * range, so no offset is 0, and starts each with its id as an int; a full RocksDB checkpoint (the
     * canonical layout) leaves key groups without data at offset 0 and starts a key group with a short
     * state id (or a Snappy frame), so its first int is not the key group's id (it stays skipped). When
     * the first bytes cannot be read, the offsets decide and the restore reports the missing file.
     */
    static boolean heapLayout(KeyedStateHandle h) {
        if (!(h instanceof KeyGroupsStateHandle) || h instanceof KeyGroupsSavepointStateHandle) return false;
        KeyGroupsStateHandle k = (KeyGroupsStateHandle) h;
        for (int kg : k.getKeyGroupRange()) {
            if (k.getOffsetForKeyGroup(kg) == 0L) return false;
        }
        int first = k.getKeyGroupRange().getStartKeyGroup();
        try (FSDataInputStream in = k.getDelegateStateHandle().openInputStream()) {
            in.seek(k.getOffsetForKeyGroup(first));
            return new DataInputStream(in).readInt() == first;
        } catch (IOException e) {
            return true;
        }
    }

    /** The canonical savepoint handle of the restored state (null when the backend holds no state). */
    static KeyGroupsStateHandle toCanonical(KeyGroupsStateHandle h, TypeSerializer<Object> keySer, int maxParallelism, ClassLoader cl) throws Exception {
        try (CloseableRegistry registry = new CloseableRegistry()) {
            List<KeyedStateHandle> handles = Collections.singletonList(h);
            HeapKeyedStateBackend<Object> backend = DumpCompat.heapBackend(keySer, cl, maxParallelism, h.getKeyGroupRange(), handles, registry);
            try {
                SavepointResources<Object> resources = backend.savepoint();
                SnapshotStrategyRunner<KeyedStateHandle, ?> runner = new SnapshotStrategyRunner<>(
                        "heap checkpoint as a canonical savepoint", new SavepointSnapshotStrategy<>(resources.getSnapshotResources()),
                        registry, SnapshotExecutionType.SYNCHRONOUS);
                CheckpointOptions options = new CheckpointOptions(SavepointType.savepoint(SavepointFormatType.CANONICAL), CheckpointStorageLocationReference.getDefault());
                RunnableFuture<SnapshotResult<KeyedStateHandle>> future = runner.snapshot(0L, 0L, new MemoryStreams(), options);
                future.run();
                KeyedStateHandle out = future.get().getJobManagerOwnedSnapshot();
                return (KeyGroupsStateHandle) out;
            } finally {
                backend.dispose();
            }
        }
    }

    /** Streams into memory (the canonical copy is read right away and dropped). */
    private static final class MemoryStreams implements CheckpointStreamFactory {
        @Override
        public CheckpointStateOutputStream createCheckpointStateOutputStream(CheckpointedStateScope scope) {
            return new MemoryStream();
        }

        @Override
        public boolean canFastDuplicate(StreamStateHandle handle, CheckpointedStateScope scope) {
            return false;
        }

        @Override
        public List<StreamStateHandle> duplicate(List<StreamStateHandle> handles, CheckpointedStateScope scope) {
            throw new UnsupportedOperationException("duplicate");
        }
    }

    private static final class MemoryStream extends CheckpointStateOutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public StreamStateHandle closeAndGetHandle() {
            return new ByteStreamStateHandle("heap-checkpoint-canonical", bytes.toByteArray());
        }

        @Override
        public long getPos() {
            return bytes.size();
        }

        @Override
        public void write(int b) {
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        @Override
        public void flush() {}

        @Override
        public void sync() {}

        @Override
        public void close() {}
    }
}
