package dev.flinksavepoints.engine.splits;

import dev.flinksavepoints.engine.dump.Dump;
import dev.flinksavepoints.engine.Main;
import dev.flinksavepoints.engine.UsageException;
import dev.flinksavepoints.engine.util.JsonText;

import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.FileSourceSplitSerializer;
import org.apache.flink.connector.file.src.PendingSplitsCheckpoint;
import org.apache.flink.connector.file.src.PendingSplitsCheckpointSerializer;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.CompletedCheckpointStorageLocation;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code engine.jar splits [--savepoint <dir>]… [--elements]}: Flink's own decoding of FLIP-27 source
 * state, the oracle of engine/savepoint/splits.ts (test/savepoint/splits-oracle.test.ts). JSON lines:
 * <ul>
 *   <li>{@code --savepoint}: one {@code coordinator} line per operator with operator-coordinator state
 *   (read with Flink's metadata loader, operators by id): its bytes in hex, and their decoding as a
 *   FileSource enumerator checkpoint (SourceCoordinator's framing, then
 *   {@code PendingSplitsCheckpointSerializer} over {@code FileSourceSplitSerializer}) or the error.</li>
 *   <li>{@code --elements}: SourceReaderState elements (hex, one per stdin line), each decoded through
 *   {@code SimpleVersionedSerialization.readVersionAndDeSerialize} with {@code FileSourceSplitSerializer}
 *   and with {@code NumberSequenceSource}'s split serializer: one {@code element} line with both results.</li>
 * </ul>
 * Longs are printed as JSON strings. Every decoded value carries {@code reserialized}: the bytes a fresh
 * object with the decoded fields serializes to (a deserialized split hands back the bytes it was read
 * from, so re-serializing it would prove nothing).
 */
public final class Splits {
    private Splits() {}

    private static final int METADATA_MAGIC = 0x4960672d;

    public static int run(String[] args) throws Exception {
        List<String> savepoints = new ArrayList<>();
        boolean elements = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--savepoint":
                    if (++i >= args.length) throw new UsageException("--savepoint needs a value");
                    savepoints.add(args[i]);
                    break;
                case "--elements": elements = true; break;
                default: throw new UsageException("unknown argument '" + args[i] + "' (usage: splits [--savepoint <dir>]… [--elements])");
            }
        }
        if (savepoints.isEmpty() && !elements) throw new UsageException("usage: splits [--savepoint <dir>]… [--elements]");
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        try {
            for (String sp : savepoints) coordinators(sp, out);
            if (elements) {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line; (line = in.readLine()) != null; ) {
                    line = line.trim();
                    if (!line.isEmpty()) out.println(element(line));
                }
            }
        } finally {
            out.flush();
        }
        return 0;
    }

    // ------------------------------------------------------------------------------------------

    private static void coordinators(String path, PrintStream out) throws Exception {
        CompletedCheckpointStorageLocation loc = Dump.resolve(path);
        CheckpointMetadata md;
        try (DataInputStream in = new DataInputStream(loc.getMetadataHandle().openInputStream())) {
            if (in.readInt() != METADATA_MAGIC) throw new IOException("not a Flink savepoint _metadata file: " + path);
        }
        try (DataInputStream in = new DataInputStream(loc.getMetadataHandle().openInputStream())) {
            md = Checkpoints.loadCheckpointMetadata(in, Splits.class.getClassLoader(), loc.getExternalPointer());
        }
        List<OperatorState> ops = new ArrayList<>(md.getOperatorStates());
        ops.sort(Comparator.comparing(o -> o.getOperatorID().toHexString()));
        for (OperatorState op : ops) {
            ByteStreamStateHandle h = op.getCoordinatorState();
            if (h == null) continue;
            byte[] bytes = h.getData();
            StringBuilder sb = new StringBuilder("{\"type\":\"coordinator\",\"savepoint\":");
            JsonText.string(sb, path);
            sb.append(",\"operator\":\"").append(op.getOperatorID().toHexString()).append("\",\"hex\":\"").append(hex(bytes)).append('"');
            try {
                String decoded = fileEnumerator(bytes);
                sb.append(",\"fileSource\":").append(decoded);
            } catch (Exception | AssertionError e) {
                sb.append(",\"fileSourceError\":");
                JsonText.string(sb, Main.oneLine(e));
            }
            out.println(sb.append('}'));
        }
    }

    /**
     * SourceCoordinator's checkpoint bytes (SourceCoordinator#deserializeCheckpoint: serde version,
     * enumerator serializer version, length, the enumerator checkpoint; no trailing bytes after
     * serde version 1) read as a FileSource enumerator checkpoint.
     */
    private static String fileEnumerator(byte[] bytes) throws Exception {
        ByteArrayInputStream bin = new ByteArrayInputStream(bytes);
        DataInputStream in = new DataInputStream(bin);
        int serde = in.readInt();
        if (serde != 0 && serde != 1) throw new IOException("Unsupported source coordinator serde version " + serde);
        int enumVersion = in.readInt();
        int n = in.readInt();
        if (n < 0) throw new IOException("negative enumerator checkpoint length " + n);
        byte[] payload = new byte[n];
        in.readFully(payload);
        if (serde != 0 && bin.available() > 0) throw new IOException("Unexpected trailing bytes in enumerator checkpoint data");
        PendingSplitsCheckpointSerializer<FileSourceSplit> ser = new PendingSplitsCheckpointSerializer<>(FileSourceSplitSerializer.INSTANCE);
        PendingSplitsCheckpoint<FileSourceSplit> cp = ser.deserialize(enumVersion, payload);

        StringBuilder sb = new StringBuilder("{\"coordinatorSerdeVersion\":").append(serde).append(",\"serializerVersion\":").append(enumVersion);
        sb.append(",\"pendingSplits\":[");
        List<FileSourceSplit> fresh = new ArrayList<>();
        boolean first = true;
        for (FileSourceSplit s : cp.getSplits()) {
            if (!first) sb.append(',');
            first = false;
            sb.append(fileSplitFields(s, null));
            fresh.add(freshCopy(s));
        }
        sb.append("],\"alreadyProcessedPaths\":[");
        List<Path> paths = new ArrayList<>();
        first = true;
        for (Path p : cp.getAlreadyProcessedPaths()) {
            if (!first) sb.append(',');
            first = false;
            JsonText.string(sb, p.toString());
            paths.add(new Path(p.toUri()));
        }
        byte[] again = ser.serialize(PendingSplitsCheckpoint.fromCollectionSnapshot(fresh, paths));
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DataOutputStream dos = new DataOutputStream(bos);
        dos.writeInt(serde);
        dos.writeInt(ser.getVersion());
        dos.writeInt(again.length);
        dos.write(again);
        dos.flush();
        return sb.append("],\"reserialized\":\"").append(hex(bos.toByteArray())).append("\"}").toString();
    }

    // ------------------------------------------------------------------------------------------

    private static String element(String hexLine) {
        StringBuilder sb = new StringBuilder("{\"type\":\"element\",\"hex\":");
        JsonText.string(sb, hexLine);
        byte[] bytes;
        try {
            bytes = unhex(hexLine);
        } catch (IllegalArgumentException e) {
            sb.append(",\"error\":");
            JsonText.string(sb, e.getMessage());
            return sb.append('}').toString();
        }
        try {
            FileSourceSplit s = SimpleVersionedSerialization.readVersionAndDeSerialize(FileSourceSplitSerializer.INSTANCE, bytes);
            byte[] again = SimpleVersionedSerialization.writeVersionAndSerialize(FileSourceSplitSerializer.INSTANCE, freshCopy(s));
            sb.append(",\"fileSource\":").append(fileSplitFields(s, again));
        } catch (Exception | AssertionError e) {
            sb.append(",\"fileSourceError\":");
            JsonText.string(sb, Main.oneLine(e));
        }
        try {
            SimpleVersionedSerializer<NumberSequenceSplit> ser = new NumberSequenceSource(0, 0).getSplitSerializer();
            NumberSequenceSplit s = SimpleVersionedSerialization.readVersionAndDeSerialize(ser, bytes);
            byte[] again = SimpleVersionedSerialization.writeVersionAndSerialize(ser, new NumberSequenceSplit(s.splitId(), s.from(), s.to()));
            sb.append(",\"numberSequence\":{\"splitId\":");
            JsonText.string(sb, s.splitId());
            sb.append(",\"from\":\"").append(s.from()).append("\",\"to\":\"").append(s.to())
                    .append("\",\"reserialized\":\"").append(hex(again)).append("\"}");
        } catch (Exception | AssertionError e) {
            sb.append(",\"numberSequenceError\":");
            JsonText.string(sb, Main.oneLine(e));
        }
        return sb.append('}').toString();
    }

    /** A split with the same fields and no cached serialized form. */
    private static FileSourceSplit freshCopy(FileSourceSplit s) {
        return new FileSourceSplit(s.splitId(), new Path(s.path().toUri()), s.offset(), s.length(),
                s.fileModificationTime(), s.fileSize(), s.hostnames(), s.getReaderPosition().orElse(null));
    }

    private static String fileSplitFields(FileSourceSplit s, byte[] reserialized) {
        StringBuilder sb = new StringBuilder("{\"splitId\":");
        JsonText.string(sb, s.splitId());
        sb.append(",\"path\":");
        JsonText.string(sb, s.path().toString());
        URI u = s.path().toUri();
        sb.append(",\"uri\":{\"scheme\":");
        nullable(sb, u == null ? null : u.getScheme());
        sb.append(",\"userInfo\":");
        nullable(sb, u == null ? null : u.getUserInfo());
        sb.append(",\"host\":");
        nullable(sb, u == null ? null : u.getHost());
        sb.append(",\"port\":").append(u == null ? -1 : u.getPort());
        sb.append(",\"path\":");
        nullable(sb, u == null ? null : u.getPath());
        sb.append(",\"query\":");
        nullable(sb, u == null ? null : u.getQuery());
        sb.append(",\"fragment\":");
        nullable(sb, u == null ? null : u.getFragment());
        sb.append("},\"offset\":\"").append(s.offset()).append("\",\"length\":\"").append(s.length())
                .append("\",\"fileModificationTime\":\"").append(s.fileModificationTime())
                .append("\",\"fileSize\":\"").append(s.fileSize()).append("\",\"hostnames\":[");
        String[] hosts = s.hostnames();
        for (int i = 0; i < hosts.length; i++) {
            if (i > 0) sb.append(',');
            JsonText.string(sb, hosts[i]);
        }
        sb.append("],\"readerPosition\":");
        if (s.getReaderPosition().isPresent()) {
            CheckpointedPosition p = s.getReaderPosition().get();
            sb.append("{\"offset\":\"").append(p.getOffset()).append("\",\"recordsAfterOffset\":\"").append(p.getRecordsAfterOffset()).append("\"}");
        } else {
            sb.append("null");
        }
        if (reserialized != null) sb.append(",\"reserialized\":\"").append(hex(reserialized)).append('"');
        return sb.append('}').toString();
    }

    private static void nullable(StringBuilder sb, String s) {
        if (s == null) sb.append("null");
        else JsonText.string(sb, s);
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b) s.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        return s.toString();
    }

    private static byte[] unhex(String h) {
        if (h.length() % 2 != 0) throw new IllegalArgumentException("odd number of hex digits");
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            int hi = Character.digit(h.charAt(2 * i), 16);
            int lo = Character.digit(h.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) throw new IllegalArgumentException("not a hex digit at " + (2 * i));
            b[i] = (byte) ((hi << 4) | lo);
        }
        return b;
    }
}
