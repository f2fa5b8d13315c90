package com.example.e2e;

import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/** Test fixture for the uid checks: two stateful operators without .uid(). */
public class UidLintJob {

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();

        DataStream<String> words = env.fromElements("a", "b", "a")
                .map(String::toUpperCase)
                .uid("upper-case");

        words.keyBy(w -> w)
                .process(new CountPerKey())
                .name("count-per-key")
                .print();

        words.keyBy(w -> w)
                .reduce((a, b) -> a + b)
                .print();

        env.execute("uid lint job");
    }

    static class CountPerKey extends KeyedProcessFunction<String, String, String> {
        private transient ValueState<Long> count;

        @Override
        public void open(Configuration parameters) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Long.class));
        }

        @Override
        public void processElement(String value, Context ctx, Collector<String> out) throws Exception {
            Long c = count.value();
            count.update(c == null ? 1L : c + 1);
            out.collect(value + "=" + count.value());
        }
    }
}
