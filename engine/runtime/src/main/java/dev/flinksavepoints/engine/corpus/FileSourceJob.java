package dev.flinksavepoints.engine.corpus;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.util.Collector;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;

/**
 * file-source: Flink's FileSource (flink-connector-files, {@code TextLineInputFormat}) monitoring a
 * folder continuously, with the savepoint taken while every reader is in the middle of a file.
 *
 * <p>The job writes {@value #FILES} text files of {@value #LINES} lines into its work folder (with a
 * fixed modification time) and reads them with parallelism 2. A FileSource reader asks for one split
 * at a time, so each reader holds one file and the enumerator keeps the others pending. A
 * {@link PauseOperator} chained to the source stops each subtask at its file's line
 * {@value #FORWARDED} + 1 (before forwarding it) and, instead of blocking, runs the task's mailbox
 * until the savepoint's snapshot has been taken: the source snapshots in that mailbox run, while it
 * is still emitting that line, so its split state says exactly {@value #FORWARDED} records were read
 * (deterministically, whatever the timing). Downstream, a keyed count per line number ("line-0" …)
 * gets the {@value #FORWARDED} forwarded lines of both readers.
 */
final class FileSourceJob {
    private FileSourceJob() {}

    static final int FILES = 4;
    static final int LINES = 10;
    /** Lines each reader forwards before it pauses (the records its split state says to skip). */
    static final int FORWARDED = 4;
    /** 2024-01-01T00:00:00Z: the modification time of the input files (stored in every split). */
    static final long MODIFIED = 1_704_067_200_000L;

    static final Jobs.Job JOB = ctx -> {
        int p = ctx.parallelism;
        Path dir = ctx.work.resolve("file-source-input");
        Files.createDirectories(dir);
        for (int f = 0; f < FILES; f++) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < LINES; i++) b.append("part-").append(f).append(" line-").append(i).append('\n');
            Path file = dir.resolve("part-" + f + ".txt");
            Files.write(file, b.toString().getBytes(StandardCharsets.UTF_8));
            Files.setLastModifiedTime(file, FileTime.fromMillis(MODIFIED));
        }
        FileSource<String> source = FileSource
                .forRecordStreamFormat(new TextLineInputFormat(), new org.apache.flink.core.fs.Path(dir.toUri()))
                .monitorContinuously(Duration.ofMinutes(10))
                .build();
        DataStream<String> lines = ctx.env.fromSource(source, WatermarkStrategy.noWatermarks(), "files")
                .uid("files").setParallelism(p);
        SingleOutputStreamOperator<String> paused = lines.transform("pause", Types.STRING, new PauseOperator(FORWARDED))
                .uid("pause").setParallelism(p);
        // chained to the source (an AbstractStreamOperator is HEAD by default in Flink 1.x): it must run in the source's task
        ((OneInputTransformation<?, ?>) paused.getTransformation()).setChainingStrategy(ChainingStrategy.ALWAYS);
        ctx.expectedStarted += p;
        DataStream<String> counts = paused.keyBy(FileSourceJob::lineNumber, Types.STRING)
                .process(new LineCountFn()).uid("line-counts").name("line-counts");
        Jobs.discard(counts, "sink");
    };

    /** "part-2 line-7" → "line-7". */
    static String lineNumber(String line) {
        return line.substring(line.indexOf(' ') + 1);
    }

    /**
     * Identity operator that stops at record {@code forwarded + 1} and runs the task's mailbox (all
     * mails, the checkpoint trigger included) until the savepoint's snapshot has reached it; counts
     * the pause in {@link Jobs#STARTED}.
     */
    static final class PauseOperator extends AbstractStreamOperator<String> implements OneInputStreamOperator<String, String> {
        private final int forwarded;
        private transient int seen;
        private transient boolean snapshotTaken;
        private transient MailboxExecutor mailbox;

        PauseOperator(int forwarded) {
            this.forwarded = forwarded;
        }

        @Override
        public void open() throws Exception {
            super.open();
            // the minimum priority: yield() then also runs the task's own mails (checkpoint triggers),
            // which an operator's default executor leaves in the mailbox
            mailbox = getContainingTask().getMailboxExecutorFactory().createExecutor(TaskMailbox.MIN_PRIORITY);
        }

        @Override
        public void processElement(StreamRecord<String> record) throws Exception {
            if (++seen == forwarded + 1) {
                Jobs.STARTED.incrementAndGet();
                while (!snapshotTaken) mailbox.yield();
            }
            output.collect(record);
        }

        @Override
        public void snapshotState(StateSnapshotContext context) throws Exception {
            super.snapshotState(context);
            snapshotTaken = true;
        }
    }

    /** How many lines with each line number have arrived. */
    static final class LineCountFn extends KeyedProcessFunction<String, String, String> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext openContext) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(String line, Context ctx, Collector<String> out) throws Exception {
            Long c = count.value();
            count.update(c == null ? 1L : c + 1);
            out.collect(line);
        }
    }
}
