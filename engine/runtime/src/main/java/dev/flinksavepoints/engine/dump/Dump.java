package dev.flinksavepoints.engine.dump;

import dev.flinksavepoints.engine.UsageException;
import dev.flinksavepoints.engine.compat.DumpCompat;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.CheckpointProperties;
import org.apache.flink.runtime.checkpoint.FinishedOperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.checkpoint.SnapshotType;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.CompletedCheckpointStorageLocation;
import org.apache.flink.runtime.state.CompositeKeySerializationUtils;
import org.apache.flink.runtime.state.FullSnapshotUtil;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupsSavepointStateHandle;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedBackendSerializationProxy;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.ListDelimitedSerializer;
import org.apache.flink.runtime.state.OperatorBackendSerializationProxy;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.SnappyStreamCompressionDecorator;
import org.apache.flink.runtime.state.StreamCompressionDecorator;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.UncompressedStreamCompressionDecorator;
import org.apache.flink.runtime.state.filemerging.EmptyFileMergingOperatorStreamStateHandle;
import org.apache.flink.runtime.state.filesystem.AbstractFsCheckpointStorageAccess;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code engine.jar dump <savepoint> [--classpath a.jar:b.jar] [--operator uid|id] [--state name] [--no-entries]}: prints
 * every state of a savepoint as JSON lines per docs/dump-format.md, read with Flink's own code.
 */
public final class Dump {
    private static final int MAGIC = 0x4960672d;

    private final ClassLoader cl;
    private final OutputStream out;
    private final String operatorFilter;
    private final String stateFilter;
    /** {@code --no-entries}: savepoint, operator, state, skipped and error lines only (the "first view"). */
    private final boolean noEntries;
    private boolean anyError;

    private Dump(ClassLoader cl, OutputStream out, String operatorFilter, String stateFilter, boolean noEntries) {
        this.cl = cl;
        this.out = out;
        this.operatorFilter = operatorFilter;
        this.stateFilter = stateFilter;
        this.noEntries = noEntries;
    }

    public static int run(String[] args) throws Exception {
        String path = null;
        String classpath = null;
        String operator = null;
        String state = null;
        boolean noEntries = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--classpath": classpath = value(args, ++i, a); break;
                case "--operator": operator = value(args, ++i, a); break;
                case "--state": state = value(args, ++i, a); break;
                case "--no-entries": noEntries = true; break;
                default:
                    if (a.startsWith("--")) throw new UsageException("unknown option " + a);
                    if (path != null) throw new UsageException("more than one savepoint given: " + path + ", " + a);
                    path = a;
            }
        }
        if (path == null) {
            throw new UsageException("usage: dump <savepoint dir or _metadata> [--classpath a.jar:b.jar] [--operator <uid|id>] [--state <name>] [--no-entries]");
        }
        List<URL> urls = new ArrayList<>();
        if (classpath != null) {
            for (String p : classpath.split(File.pathSeparator)) {
                if (p.isEmpty()) continue;
                File f = new File(p);
                if (!f.exists()) throw new UsageException("classpath entry not found: " + p);
                urls.add(f.getAbsoluteFile().toURI().toURL());
            }
        }
        ClassLoader cl = new URLClassLoader(urls.toArray(new URL[0]), Dump.class.getClassLoader());
        Thread.currentThread().setContextClassLoader(cl);
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        Dump d = new Dump(cl, out, operator, state, noEntries);
        try {
            d.dump(path);
        } finally {
            out.flush();
        }
        return d.anyError ? 1 : 0;
    }

    private static String value(String[] args, int i, String opt) {
        if (i >= args.length) throw new UsageException(opt + " needs a value");
        return args[i];
    }

    // ------------------------------------------------------------------------------------------

    private void line(Json j) throws IOException {
        out.write(j.toString().getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }

    /** A savepoint given as its folder, its _metadata file or a URI, resolved the way Flink resolves a restore path. */
    public static CompletedCheckpointStorageLocation resolve(String path) throws IOException {
        String pointer = path;
        if (!pointer.contains("://") && !pointer.startsWith("file:")) {
            File f = new File(pointer);
            if (!f.exists()) throw new IOException("savepoint not found: " + path);
            pointer = f.getAbsolutePath();
        }
        return AbstractFsCheckpointStorageAccess.resolveCheckpointPointer(pointer);
    }

    private void dump(String path) throws Exception {
        CompletedCheckpointStorageLocation loc = resolve(path);
        StreamStateHandle mh = loc.getMetadataHandle();
        int version;
        try (DataInputStream in = new DataInputStream(mh.openInputStream())) {
            int magic = in.readInt();
            if (magic != MAGIC) throw new IOException("not a Flink savepoint _metadata file (bad magic number): " + path);
            version = in.readInt();
        }
        CheckpointMetadata md;
        try (DataInputStream in = new DataInputStream(mh.openInputStream())) {
            md = Checkpoints.loadCheckpointMetadata(in, cl, loc.getExternalPointer());
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot read _metadata version " + version + " with this engine build (Flink "
                    + dev.flinksavepoints.engine.Main.flinkVersion() + (version > 4 ? "; use the Flink 2.x build)" : ")"), e);
        }

        List<OperatorState> ops = new ArrayList<>(md.getOperatorStates());
        ops.sort(Comparator.comparing(o -> o.getOperatorID().toHexString()));
        if (operatorFilter != null) {
            ops.removeIf(op -> !matches(op, operatorFilter));
            // a filter that matches nothing is a bad argument: exit 2, nothing on stdout
            if (ops.isEmpty()) throw new UsageException("no operator matches " + operatorFilter);
        }

        Json j = new Json().beginObject().member("type", "savepoint").member("version", version)
                .member("checkpointId", md.getCheckpointId());
        CheckpointProperties props = md.getCheckpointProperties();
        if (props != null && props.getCheckpointType() != null) {
            SnapshotType st = props.getCheckpointType();
            if (st instanceof SavepointType && ((SavepointType) st).getFormatType() != null) {
                j.member("format", ((SavepointType) st).getFormatType().name());
            }
            j.member("snapshot", st.getName());
        }
        j.member("operators", md.getOperatorStates().size()).endObject();
        line(j);

        for (OperatorState op : ops) dumpOperator(op);
    }

    private static boolean matches(OperatorState op, String filter) {
        String id = op.getOperatorID().toHexString();
        if (id.equalsIgnoreCase(filter)) return true;
        if (filter.equals(DumpCompat.operatorUid(op))) return true;
        return id.equals(Uid.hash(filter));
    }

    // ------------------------------------------------------------------------------------------

    /** One state declaration (from the lowest subtask that declares it). */
    private static final class Decl {
        String name;
        String backend;
        String kind;
        TypeNode key;
        TypeNode namespace;
        TypeNode userKey;
        TypeNode value;      // element type for LIST, user value for MAP
        TypeNode listType;   // LIST: the List<…> type (for $raw)
        boolean timer;
    }

    private static final class KeyedHandle {
        int subtask;
        KeyGroupsStateHandle handle;
        KeyedBackendSerializationProxy<?> header;
        TypeNode keyNode;
        TypeSerializer<Object> keySer;
        List<Decl> byId = new ArrayList<>();
        String error;
        /** a hashmap backend checkpoint's handle (HeapCheckpoint): converted before its entries are read */
        boolean heap;
    }

    private static final class OpHandle {
        int subtask;
        OperatorStateHandle handle;
        boolean compressed;
        Map<String, Decl> decls = new TreeMap<>();
        String error;
    }

    private void dumpOperator(OperatorState op) throws IOException {
        String id = op.getOperatorID().toHexString();
        Json j = new Json().beginObject().member("type", "operator").member("id", id);
        String uid = DumpCompat.operatorUid(op);
        String name = DumpCompat.operatorName(op);
        if (uid != null && !uid.isEmpty()) j.member("uid", uid);
        if (name != null && !name.isEmpty()) j.member("name", name);
        j.member("parallelism", op.getParallelism()).member("maxParallelism", op.getMaxParallelism())
                .member("finished", op.isFullyFinished()).member("subtasks", storedSubtasks(op));
        ByteStreamStateHandle coord = op.getCoordinatorState();
        if (coord != null) j.member("coordinatorBytes", coord.getData().length);
        line(j.endObject());

        int prefix = CompositeKeySerializationUtils.computeRequiredBytesInKeyGroupPrefix(op.getMaxParallelism());
        TreeMap<Integer, OperatorSubtaskState> subtasks = new TreeMap<>(op.getSubtaskStates());
        List<KeyedHandle> keyed = new ArrayList<>();
        List<OpHandle> opHandles = new ArrayList<>();
        List<Json> skipped = new ArrayList<>();
        TreeMap<String, Decl> decls = new TreeMap<>();

        for (Map.Entry<Integer, OperatorSubtaskState> e : subtasks.entrySet()) {
            int st = e.getKey();
            OperatorSubtaskState s = e.getValue();
            if (s.isFinished()) continue;
            for (KeyedStateHandle h : s.getManagedKeyedState()) {
                String kind = keyedHandleKind(h);
                // a hashmap backend checkpoint: read with Flink's heap restore (HeapCheckpoint)
                boolean heap = "keyGroups".equals(kind) && HeapCheckpoint.heapLayout(h);
                if (heap) kind = null;
                if (kind != null) {
                    skipped.add(skip(id, st, "managedKeyed", kind));
                    continue;
                }
                KeyedHandle kh = new KeyedHandle();
                kh.subtask = st;
                kh.handle = (KeyGroupsStateHandle) h;
                kh.heap = heap;
                readKeyedHeader(kh);
                keyed.add(kh);
                for (Decl d : kh.byId) decls.putIfAbsent(d.name, d);
            }
            for (KeyedStateHandle h : s.getRawKeyedState()) {
                skipped.add(skip(id, st, "rawKeyed", "raw"));
            }
            for (OperatorStateHandle h : s.getManagedOperatorState()) {
                // a file-merging checkpoint's placeholder for "no operator state" (Flink's restore skips it too)
                if (h instanceof EmptyFileMergingOperatorStreamStateHandle) continue;
                OpHandle oh = new OpHandle();
                oh.subtask = st;
                oh.handle = h;
                readOperatorHeader(oh);
                opHandles.add(oh);
                for (Decl d : oh.decls.values()) decls.putIfAbsent(d.name, d);
            }
            for (OperatorStateHandle h : s.getRawOperatorState()) {
                skipped.add(skip(id, st, "rawOperator", "raw"));
            }
        }

        for (Decl d : decls.values()) {
            if (stateFilter != null && !stateFilter.equals(d.name)) continue;
            Json s = new Json().beginObject().member("type", "state").member("operator", id).member("name", d.name)
                    .member("backend", d.backend).member("kind", d.kind);
            if (d.key != null) s.member("key", d.key.type);
            if (d.namespace != null) s.member("namespace", d.namespace.type);
            if (d.userKey != null) s.member("userKey", d.userKey.type);
            if (d.value != null) s.member("value", d.value.type);
            line(s.endObject());
        }
        for (Json s : skipped) line(s);

        keyed.sort(Comparator.comparingInt((KeyedHandle k) -> k.handle.getKeyGroupRange().getStartKeyGroup()).thenComparingInt(k -> k.subtask));
        if (noEntries) {
            // only the handles whose header could not be read, in the place of their entries
            for (KeyedHandle kh : keyed) if (kh.error != null) error(id, kh.subtask, "managedKeyed", kh.error);
            for (OpHandle oh : opHandles) if (oh.error != null) error(id, oh.subtask, "managedOperator", oh.error);
            return;
        }
        for (KeyedHandle kh : keyed) {
            if (kh.error == null) {
                try {
                    if (kh.heap) {
                        // the canonical copy has its own state ids: its header is read again
                        kh.handle = HeapCheckpoint.toCanonical(kh.handle, kh.keySer, op.getMaxParallelism(), cl);
                        kh.byId.clear();
                        if (kh.handle != null) {
                            readKeyedHeader(kh);
                            if (kh.error == null) readKeyedEntries(id, kh, prefix);
                        }
                    } else {
                        readKeyedEntries(id, kh, prefix);
                    }
                } catch (Exception ex) {
                    kh.error = message(ex);
                }
            }
            if (kh.error != null) error(id, kh.subtask, "managedKeyed", kh.error);
        }

        List<Object[]> elements = new ArrayList<>(); // name, subtask, index or key bytes, line
        for (OpHandle oh : opHandles) {
            if (oh.error == null) {
                try {
                    readOperatorElements(id, oh, elements);
                } catch (Exception ex) {
                    oh.error = message(ex);
                }
            }
            if (oh.error != null) error(id, oh.subtask, "managedOperator", oh.error);
        }
        elements.sort((a, b) -> {
            int c = ((String) a[0]).compareTo((String) b[0]);
            if (c != 0) return c;
            c = Integer.compare((Integer) a[1], (Integer) b[1]);
            if (c != 0) return c;
            if (a[2] instanceof Integer) return Integer.compare((Integer) a[2], (Integer) b[2]);
            return Bytes.compare((byte[]) a[2], (byte[]) b[2]);
        });
        for (Object[] e : elements) line((Json) e[3]);
    }

    /** Subtask states stored with a body (finished subtasks, stored as a bare marker, do not count). */
    private static int storedSubtasks(OperatorState op) {
        int n = 0;
        for (OperatorSubtaskState s : op.getSubtaskStates().values()) {
            // a finished subtask is restored as the FinishedOperatorSubtaskState marker: no state, not counted
            if (!s.isFinished() && !(s instanceof FinishedOperatorSubtaskState)) n++;
        }
        return n;
    }

    private static String keyedHandleKind(KeyedStateHandle h) {
        if (h.getClass().getName().contains("Changelog")) return "changelog";
        if (h instanceof IncrementalKeyedStateHandle) return "incremental";
        if (h instanceof KeyGroupsSavepointStateHandle) return null;
        return "keyGroups";
    }

    private static Json skip(String id, int subtask, String slot, String handle) {
        String reason;
        switch (handle) {
            case "incremental": reason = "native RocksDB state is not readable yet"; break;
            case "keyGroups": reason = "checkpoint key-group state is not readable yet"; break;
            case "changelog": reason = "changelog state is not readable yet"; break;
            default: reason = "raw state is opaque";
        }
        return new Json().beginObject().member("type", "skipped").member("operator", id).member("subtask", subtask)
                .member("slot", slot).member("handle", handle).member("reason", reason).endObject();
    }

    private void error(String id, int subtask, String slot, String message) throws IOException {
        anyError = true;
        line(new Json().beginObject().member("type", "error").member("operator", id).member("subtask", subtask)
                .member("slot", slot).member("message", message).endObject());
    }

    private static String message(Throwable t) {
        return dev.flinksavepoints.engine.Main.oneLine(t);
    }

    // ------------------------------------------------------------------------------------------ keyed

    @SuppressWarnings("unchecked")
    private static TypeSerializer<Object> restore(StateMetaInfoSnapshot s, String key) {
        TypeSerializerSnapshot<?> snap = s.getTypeSerializerSnapshot(key);
        if (snap == null) return null;
        return (TypeSerializer<Object>) snap.restoreSerializer();
    }

    @SuppressWarnings("unchecked")
    private void readKeyedHeader(KeyedHandle kh) {
        try (FSDataInputStream in = kh.handle.openInputStream()) {
            KeyedBackendSerializationProxy<Object> proxy = new KeyedBackendSerializationProxy<>(cl);
            proxy.read(new DataInputViewStreamWrapper(in));
            kh.header = proxy;
            kh.keySer = (TypeSerializer<Object>) proxy.getKeySerializerSnapshot().restoreSerializer();
            kh.keyNode = TypeNode.of(kh.keySer);
            for (StateMetaInfoSnapshot s : proxy.getStateMetaInfoSnapshots()) {
                kh.byId.add(keyedDecl(s, kh.keyNode));
            }
        } catch (Throwable e) {
            kh.error = message(e);
            kh.byId.clear();
        }
    }

    private static Decl keyedDecl(StateMetaInfoSnapshot s, TypeNode keyNode) {
        Decl d = new Decl();
        d.name = s.getName();
        String bt = s.getBackendStateType().name();
        d.backend = bt;
        TypeNode vs = TypeNode.of(restore(s, "VALUE_SERIALIZER"));
        if (bt.equals("PRIORITY_QUEUE")) {
            if (vs.kind == TypeNode.Kind.TIMER) {
                d.timer = true;
                d.kind = "TIMER";
                d.key = vs.kids[0];
                d.namespace = vs.kids[1];
            } else {
                d.kind = "PRIORITY_QUEUE";
                d.value = vs;
            }
            return d;
        }
        d.kind = s.getOption(StateMetaInfoSnapshot.CommonOptionsKeys.KEYED_STATE_TYPE);
        d.key = keyNode;
        d.namespace = TypeNode.of(restore(s, "NAMESPACE_SERIALIZER"));
        boolean v2 = bt.equals("KEY_VALUE_V2");
        if ("LIST".equals(d.kind)) {
            if (v2) {
                d.value = vs;
                d.listType = TypeNode.listOf(vs);
            } else {
                d.listType = vs;
                d.value = vs.kind == TypeNode.Kind.LIST ? vs.kids[0] : vs;
            }
        } else if ("MAP".equals(d.kind)) {
            if (v2) {
                d.userKey = TypeNode.of(restore(s, "USER_KEY_SERIALIZER"));
                d.value = vs;
            } else if (vs.kind == TypeNode.Kind.MAP) {
                d.userKey = vs.kids[0];
                d.value = vs.kids[1];
            } else {
                throw new IllegalStateException("map state " + d.name + " without a MapSerializer");
            }
        } else {
            d.value = vs;
        }
        return d;
    }

    private static final class Entry {
        final String state;
        final byte[] key;
        final Json line;

        Entry(String state, byte[] key, Json line) {
            this.state = state;
            this.key = key;
            this.line = line;
        }
    }

    private void readKeyedEntries(String opId, KeyedHandle kh, int prefix) throws Exception {
        StreamCompressionDecorator dec = kh.header.isUsingKeyGroupCompression()
                ? SnappyStreamCompressionDecorator.INSTANCE
                : UncompressedStreamCompressionDecorator.INSTANCE;
        try (FSDataInputStream in = kh.handle.openInputStream()) {
            for (Tuple2<Integer, Long> kgo : kh.handle.getGroupRangeOffsets()) {
                int kg = kgo.f0;
                long offset = kgo.f1;
                if (offset == 0L) continue;
                in.seek(offset);
                InputStream kin = dec.decorateWithCompression(in);
                DataInputViewStreamWrapper view = new DataInputViewStreamWrapper(kin);
                List<Entry> entries = new ArrayList<>();
                int stateId = FullSnapshotUtil.END_OF_KEY_GROUP_MARK & view.readShort();
                while (stateId != FullSnapshotUtil.END_OF_KEY_GROUP_MARK) {
                    byte[] key = new byte[view.readInt()];
                    view.readFully(key);
                    byte[] value = new byte[view.readInt()];
                    view.readFully(value);
                    int thisId = stateId;
                    if (FullSnapshotUtil.hasMetaDataFollowsFlag(key)) {
                        FullSnapshotUtil.clearMetaDataFollowsFlag(key);
                        stateId = FullSnapshotUtil.END_OF_KEY_GROUP_MARK & view.readShort();
                    }
                    if (thisId >= kh.byId.size()) throw new IOException("unknown state id " + thisId + " in key group " + kg);
                    Decl d = kh.byId.get(thisId);
                    if (stateFilter != null && !stateFilter.equals(d.name)) continue;
                    entries.add(new Entry(d.name, key, keyedEntry(opId, d, kh, kg, prefix, key, value)));
                }
                entries.sort((a, b) -> {
                    int c = a.state.compareTo(b.state);
                    return c != 0 ? c : Bytes.compare(a.key, b.key);
                });
                for (Entry e : entries) line(e.line);
            }
        }
    }

    private Json keyedEntry(String opId, Decl d, KeyedHandle kh, int kg, int prefix, byte[] key, byte[] value) throws IOException {
        Json j = new Json().beginObject().member("type", "entry").member("operator", opId).member("state", d.name)
                .member("keyGroup", kg);
        DataInputDeserializer in = new DataInputDeserializer(key);
        int kgPrefix = CompositeKeySerializationUtils.readKeyGroup(prefix, in);
        if (kgPrefix != kg) {
            Render.warn.warn("state " + d.name + ": key-group prefix " + kgPrefix + " differs from key group " + kg);
        }
        if (d.timer) {
            long ts = in.readLong() ^ Long.MIN_VALUE;
            j.name("key");
            if (d.key.opaque) {
                Render.raw(j, d.key.type, key, prefix + 8, key.length);
            } else {
                Render.decode(j, d.key, in, key, key.length, false);
                if (d.namespace.kind != TypeNode.Kind.VOID_NAMESPACE || d.namespace.opaque) {
                    j.name("namespace");
                    if (d.namespace.opaque) {
                        Render.raw(j, d.namespace.type, key, in.getPosition(), key.length);
                    } else {
                        Render.decode(j, d.namespace, in, key, key.length, false);
                    }
                }
            }
            j.member("timestamp", ts);
            return j.endObject();
        }
        if ("PRIORITY_QUEUE".equals(d.kind)) {
            j.name("value");
            if (d.value.opaque) Render.raw(j, d.value.type, key, prefix, key.length);
            else Render.decode(j, d.value, in, key, key.length, false);
            return j.endObject();
        }
        boolean amb = CompositeKeySerializationUtils.isAmbiguousKeyPossible(kh.keySer, d.namespace.ser);
        j.name("key");
        boolean rest = true;
        if (d.key.opaque) {
            Render.raw(j, d.key.type, key, prefix, key.length);
            rest = false;
        } else {
            int s = in.getPosition();
            Render.decode(j, d.key, in, key, key.length, false);
            if (amb) CompositeKeySerializationUtils.readVariableIntBytes(in, in.getPosition() - s);
            int ns = in.getPosition();
            if (d.namespace.opaque) {
                j.name("namespace");
                Render.raw(j, d.namespace.type, key, ns, key.length);
                rest = false;
            } else {
                if (d.namespace.kind != TypeNode.Kind.VOID_NAMESPACE) {
                    j.name("namespace");
                    Render.decode(j, d.namespace, in, key, key.length, false);
                } else {
                    d.namespace.ser.deserialize(in);
                }
                if (amb) CompositeKeySerializationUtils.readVariableIntBytes(in, in.getPosition() - ns);
            }
        }
        String kind = d.kind == null ? "VALUE" : d.kind;
        if ("MAP".equals(kind)) {
            if (rest) {
                j.name("userKey");
                if (d.userKey.tailOk) Render.decode(j, d.userKey, in, key, key.length, true);
                else Render.raw(j, d.userKey.type, key, in.getPosition(), key.length);
            }
            DataInputDeserializer vin = new DataInputDeserializer(value);
            j.name("value");
            if (vin.readBoolean()) {
                j.nul();
            } else if (d.value.tailOk) {
                Render.decode(j, d.value, vin, value, value.length, true);
            } else {
                Render.raw(j, d.value.type, value, 1, value.length);
            }
        } else if ("LIST".equals(kind)) {
            j.name("value");
            if (d.value.opaque) {
                Render.raw(j, d.listType.type, value, 0, value.length);
            } else {
                ListDelimitedSerializer lds = new ListDelimitedSerializer();
                List<Object> list = lds.deserializeList(value, d.value.ser);
                if (!d.value.unordered) {
                    byte[] again = lds.serializeList(list, d.value.ser);
                    if (!Arrays.equals(again, value)) {
                        Render.warn.warn("state " + d.name + ": re-serialized list differs from the stored bytes");
                    }
                }
                j.beginArray();
                for (Object o : list) Render.render(j, d.value, o);
                j.endArray();
            }
        } else {
            j.name("value");
            DataInputDeserializer vin = new DataInputDeserializer(value);
            if (d.value.tailOk) Render.decode(j, d.value, vin, value, value.length, true);
            else Render.raw(j, d.value.type, value, 0, value.length);
        }
        return j.endObject();
    }

    // ------------------------------------------------------------------------------------------ operator state

    private void readOperatorHeader(OpHandle oh) {
        try (FSDataInputStream in = oh.handle.openInputStream()) {
            OperatorBackendSerializationProxy proxy = new OperatorBackendSerializationProxy(cl);
            proxy.read(new DataInputViewStreamWrapper(in));
            oh.compressed = (Boolean) Refl.call(proxy, "isUsingStateCompression");
            for (StateMetaInfoSnapshot s : proxy.getOperatorStateMetaInfoSnapshots()) {
                Decl d = new Decl();
                d.name = s.getName();
                d.backend = s.getBackendStateType().name();
                String mode = s.getOption(StateMetaInfoSnapshot.CommonOptionsKeys.OPERATOR_STATE_DISTRIBUTION_MODE);
                d.kind = "SPLIT_DISTRIBUTE".equals(mode) ? "LIST" : mode;
                d.value = TypeNode.of(restore(s, "VALUE_SERIALIZER"));
                oh.decls.put(d.name, d);
            }
            for (StateMetaInfoSnapshot s : proxy.getBroadcastStateMetaInfoSnapshots()) {
                Decl d = new Decl();
                d.name = s.getName();
                d.backend = s.getBackendStateType().name();
                d.kind = "BROADCAST";
                d.key = TypeNode.of(restore(s, "KEY_SERIALIZER"));
                d.value = TypeNode.of(restore(s, "VALUE_SERIALIZER"));
                oh.decls.put(d.name, d);
            }
        } catch (Throwable e) {
            oh.error = message(e);
            oh.decls.clear();
        }
    }

    private void readOperatorElements(String opId, OpHandle oh, List<Object[]> elements) throws Exception {
        Map<String, OperatorStateHandle.StateMetaInfo> offsets = oh.handle.getStateNameToPartitionOffsets();
        java.util.TreeSet<Long> bounds = new java.util.TreeSet<>();
        for (OperatorStateHandle.StateMetaInfo m : offsets.values()) {
            for (long o : m.getOffsets()) bounds.add(o);
        }
        long size = oh.handle.getStateSize();
        try (FSDataInputStream in = oh.handle.openInputStream()) {
            for (Map.Entry<String, OperatorStateHandle.StateMetaInfo> e : offsets.entrySet()) {
                String name = e.getKey();
                if (stateFilter != null && !stateFilter.equals(name)) continue;
                Decl d = oh.decls.get(name);
                if (d == null) throw new IOException("no meta information for operator state " + name);
                long[] offs = e.getValue().getOffsets();
                for (int i = 0; i < offs.length; i++) {
                    Long next = bounds.higher(offs[i]);
                    byte[] buf = region(in, offs[i], next == null ? size : next, oh.compressed);
                    Json j = new Json().beginObject().member("type", "element").member("operator", opId).member("state", name)
                            .member("subtask", oh.subtask);
                    if ("BROADCAST".equals(d.kind)) {
                        broadcast(j, d, buf, oh.subtask, elements);
                        continue;
                    }
                    j.member("index", i).name("value");
                    DataInputDeserializer din = new DataInputDeserializer(buf);
                    if (d.value.tailOk) Render.decode(j, d.value, din, buf, buf.length, true);
                    else Render.raw(j, d.value.type, buf, 0, buf.length);
                    elements.add(new Object[] {name, oh.subtask, i, j.endObject()});
                }
            }
        }
    }

    private void broadcast(Json head, Decl d, byte[] buf, int subtask, List<Object[]> elements) throws IOException {
        String prefix = head.toString();
        DataInputDeserializer in = new DataInputDeserializer(buf);
        int n = in.readInt();
        if (d.key.opaque || d.value.opaque) {
            Json j = new Json().raw(prefix).member("index", 0).name("value");
            Render.raw(j, "Map<" + d.key.type + ", " + d.value.type + ">", buf, 4, buf.length);
            elements.add(new Object[] {d.name, subtask, new byte[0], j.endObject()});
            return;
        }
        for (int i = 0; i < n; i++) {
            Object k = d.key.ser.deserialize(in);
            Object v = d.value.ser.deserialize(in);
            Json j = new Json().raw(prefix); // continues the object started in prefix
            j.name("key");
            Render.render(j, d.key, k);
            j.name("value");
            Render.render(j, d.value, v);
            elements.add(new Object[] {d.name, subtask, Render.serialize(d.key.ser, k), j.endObject()});
        }
    }

    private static byte[] region(FSDataInputStream in, long from, long to, boolean compressed) throws IOException {
        in.seek(from);
        byte[] b = new byte[(int) (to - from)];
        new DataInputStream(in).readFully(b);
        if (!compressed) return b;
        // Each state is one Snappy framed stream whose identifier chunk precedes the first element; the
        // writer flushes before every element offset, so a region is a run of whole chunks.
        byte[] framed = b;
        if (!startsWith(b, SNAPPY_STREAM_ID)) {
            framed = new byte[SNAPPY_STREAM_ID.length + b.length];
            System.arraycopy(SNAPPY_STREAM_ID, 0, framed, 0, SNAPPY_STREAM_ID.length);
            System.arraycopy(b, 0, framed, SNAPPY_STREAM_ID.length, b.length);
        }
        InputStream d = SnappyStreamCompressionDecorator.INSTANCE.decorateWithCompression(new ByteArrayInputStream(framed));
        return d.readAllBytes();
    }

    private static final byte[] SNAPPY_STREAM_ID = {(byte) 0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59};

    private static boolean startsWith(byte[] b, byte[] p) {
        if (b.length < p.length) return false;
        for (int i = 0; i < p.length; i++) if (b[i] != p[i]) return false;
        return true;
    }
}
