package dev.flinksavepoints.engine.corpus;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** User types stored in corpus state. Field values are derived from record ids only. */
public final class CorpusTypes {
    private CorpusTypes() {}

    public enum Color { RED, GREEN, BLUE }

    /** Nested POJO. */
    public static class Address {
        public String street;
        public String city;
        public int zip;

        public Address() {}

        public Address(String street, String city, int zip) {
            this.street = street;
            this.city = city;
            this.zip = zip;
        }
    }

    /** POJO with a nested POJO, nullable fields, a List and a Map field and an enum. */
    public static class Customer {
        public long id;
        public String name;
        public Address address;
        public Color favorite;
        public List<String> tags;
        public Map<String, Integer> scores;
        public Double balance;

        public Customer() {}
    }

    /**
     * Not a POJO (no public no-argument constructor, final private fields): Flink falls back to Kryo
     * (GenericTypeInfo).
     */
    public static final class Money {
        private final String currency;
        private final long cents;

        public Money(String currency, long cents) {
            this.currency = currency;
            this.cents = cents;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Money && ((Money) o).cents == cents && Objects.equals(((Money) o).currency, currency);
        }

        @Override
        public int hashCode() {
            return Objects.hash(currency, cents);
        }
    }
}
