/**
 * Table API / SQL rows (RowData): the Java serialization reader that skips and reads the LogicalTypes
 * of RowDataSerializerSnapshot, the binary row decoder, and the writer's refusal. The main evidence is
 * the conformance test over flink-<version>/sql-groupby and sql-rocksdb (real SQL jobs' savepoints
 * against engine.jar dump); these are the focused checks, bounds and hand-made edge cases.
 */
import { strict as assert } from 'assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SavepointFormatError } from '../../engine/savepoint/errors';
import { ByteReader, toHex } from '../../engine/savepoint/io';
import { JavaStreamReader } from '../../engine/savepoint/javaser';
import { binaryRowHash, decimalPlainString, LogicalType, logicalTypeName, readLogicalType, timestampText } from '../../engine/savepoint/rowdata';
import { lookup, openSavepoint } from '../../engine/savepoint/index';
import {
  isOpaque,
  NESTED_MAGIC,
  readVersionedSnapshot,
  SerializerSnapshot,
  snapshots as S,
  tablePart,
  typeString,
} from '../../engine/savepoint/serializers';
import { StateTypes } from '../../engine/savepoint/statemeta';
import { codecFor } from '../../engine/savepoint/values';
import { EncodeError, encoderFor } from '../../engine/savepoint/write/encode';
import { writeVersionedSnapshot as writeSnapshotForFiles } from '../../engine/savepoint/write/snapshots';
import { ByteWriter } from '../../engine/savepoint/writer-io';
import { readOnlyReason } from '../../extension/editors/valueEdit';
import { StateModel } from '../../extension/editors/model';
import { main } from '../../engine/cli/fsp';
import { CORPUS_ROOT, corpusKeyedHeader, memoryIo } from './corpus';
import { cli, tmp } from '../writer/helpers';

const CASE = path.join(CORPUS_ROOT, 'flink-1.20.3', 'sql-groupby');
const SAVEPOINT = path.join(CASE, 'savepoint');
/** uid "4_group-aggregate" (GroupAggFunction, accState) and "9_deduplicate" (deduplicate-state) */
const GROUP_AGG = '23eaad2bb152dd975bbc63554c2ca61f';
const DEDUP = '69365538a1e5a76ee50932fc52b85eca';

const LOGICAL = 'org.apache.flink.table.types.logical.';
const TABLE = 'org.apache.flink.table.runtime.typeutils.';

// ------------------------------------------------------------------------------------------------
// A minimal Java serialization writer for LogicalType objects (protocol 2, as ObjectOutputStream writes)
// ------------------------------------------------------------------------------------------------

type JField = { t: 'I'; name: string; v: number } | { t: 'Z'; name: string; v: boolean } | { t: 'L'; name: string; sig: string; write: (w: ByteWriter) => void };

class JavaWriter {
  readonly w = new ByteWriter();
  private handle = 0;
  private readonly classes = new Map<string, number>();

  header(): this {
    this.w.u16(0xaced).u16(5);
    return this;
  }

  /** The next handle (every object, string, class descriptor, array and enum constant takes one). */
  newHandle(): number {
    return this.handle++;
  }

  /** TC_CLASSDESC (or a TC_REFERENCE to one already written); `fields` in descriptor order. */
  classDesc(name: string, flags: number, fields: { t: string; name: string; sig?: string }[], superDesc?: () => void): void {
    const known = this.classes.get(name);
    if (known !== undefined) {
      this.w.u8(0x71).i32(0x7e0000 + known);
      return;
    }
    this.w.u8(0x72).utf(name).i64(1n);
    this.classes.set(name, this.newHandle());
    this.w.u8(flags).u16(fields.length);
    for (const f of fields) {
      this.w.u8(f.t.charCodeAt(0)).utf(f.name);
      if (f.sig) this.string(f.sig);
    }
    this.w.u8(0x78); // no class annotation
    if (superDesc) superDesc();
    else this.w.u8(0x70);
  }

  string(s: string): void {
    this.w.u8(0x74).utf(s);
    this.newHandle();
  }

  enumConstant(cls: string, name: string): void {
    this.w.u8(0x7e);
    this.classDesc(cls, 0x12, [], () => this.classDesc('java.lang.Enum', 0x12, []));
    this.newHandle();
    this.string(name);
  }

  /** A LogicalType subclass object: LogicalType's fields, then the subclass's. */
  logicalType(cls: string, root: string, nullable: boolean, fields: JField[] = []): void {
    this.w.u8(0x73);
    this.classDesc(
      LOGICAL + cls,
      0x02,
      fields.map((f) => ({ t: f.t, name: f.name, sig: f.t === 'L' ? f.sig : undefined })),
      () =>
        this.classDesc(LOGICAL + 'LogicalType', 0x02, [
          { t: 'Z', name: 'isNullable' },
          { t: 'L', name: 'typeRoot', sig: `L${LOGICAL.replace(/\./g, '/')}LogicalTypeRoot;` },
        ]),
    );
    this.newHandle();
    this.w.bool(nullable);
    this.enumConstant(LOGICAL + 'LogicalTypeRoot', root);
    for (const f of fields) {
      if (f.t === 'I') this.w.i32(f.v);
      else if (f.t === 'Z') this.w.bool(f.v);
      else f.write(this.w);
    }
  }

  bytes(): Uint8Array {
    return this.w.toBytes();
  }
}

/** One LogicalType's Java serialization stream. */
function lt(cls: string, root: string, nullable = true, fields: (jw: JavaWriter) => JField[] = () => []): Uint8Array {
  const jw = new JavaWriter().header();
  jw.logicalType(cls, root, nullable, fields(jw));
  return jw.bytes();
}

const INT = () => lt('IntType', 'INTEGER');
const BIGINT_NN = () => lt('BigIntType', 'BIGINT', false);
const STRING = () => lt('VarCharType', 'VARCHAR', true, () => [{ t: 'I', name: 'length', v: 2147483647 }]);
const VARCHAR = (n: number) => lt('VarCharType', 'VARCHAR', true, () => [{ t: 'I', name: 'length', v: n }]);
const BYTES = () => lt('VarBinaryType', 'VARBINARY', true, () => [{ t: 'I', name: 'length', v: 2147483647 }]);
const DECIMAL = (p: number, s: number) => lt('DecimalType', 'DECIMAL', true, () => [{ t: 'I', name: 'precision', v: p }, { t: 'I', name: 'scale', v: s }]);
const kindField = (jw: JavaWriter, kind: string): JField => ({ t: 'L', name: 'kind', sig: `L${LOGICAL.replace(/\./g, '/')}TimestampKind;`, write: () => jw.enumConstant(LOGICAL + 'TimestampKind', kind) });
const TIMESTAMP = (p: number, kind = 'REGULAR') => lt('TimestampType', 'TIMESTAMP_WITHOUT_TIME_ZONE', true, (jw) => [{ t: 'I', name: 'precision', v: p }, kindField(jw, kind)]);
const LTZ = (p: number) => lt('LocalZonedTimestampType', 'TIMESTAMP_WITH_LOCAL_TIME_ZONE', false, (jw) => [{ t: 'I', name: 'precision', v: p }, kindField(jw, 'PROCTIME')]);
const DATE = () => lt('DateType', 'DATE');
const TIME = () => lt('TimeType', 'TIME_WITHOUT_TIME_ZONE', true, () => [{ t: 'I', name: 'precision', v: 0 }]);
const ARRAY = () => lt('ArrayType', 'ARRAY', false); // without its element type: shown raw
const LT_SIG = `L${LOGICAL.replace(/\./g, '/')}LogicalType;`;
/** A LogicalType written into another's field (its own class descriptor, as a nested object). */
const nestedType = (jw: JavaWriter, name: string, cls: string, root: string, fields: JField[] = [], nullable = true): JField => ({
  t: 'L',
  name,
  sig: LT_SIG,
  write: () => jw.logicalType(cls, root, nullable, fields),
});
const ARRAY_OF_STRING = () => lt('ArrayType', 'ARRAY', true, (jw) => [nestedType(jw, 'elementType', 'VarCharType', 'VARCHAR', [{ t: 'I', name: 'length', v: 2147483647 }])]);
const MULTISET_OF_INT = () => lt('MultisetType', 'MULTISET', true, (jw) => [nestedType(jw, 'elementType', 'IntType', 'INTEGER')]);
const LEGACY_DECIMAL = () => lt('LegacyTypeInformationType', 'DECIMAL');

function readType(b: Uint8Array): LogicalType {
  const r = new ByteReader(b, 'types.bin');
  const t = readLogicalType(r);
  r.expectEnd('the LogicalType stream');
  return t;
}

/** A RowDataSerializerSnapshot as Flink writes it: n, the Java-serialized types, the nested snapshots. */
function rowDataSnapshot(types: Uint8Array[], nested: SerializerSnapshot[] = types.map(() => S.simple('int'))): SerializerSnapshot {
  const w = new ByteWriter();
  w.utf(`${TABLE}RowDataSerializer$RowDataSerializerSnapshot`).i32(3).i32(types.length);
  for (const t of types) w.bytes(t);
  w.i32(NESTED_MAGIC).i32(1).i32(nested.length);
  for (const n of nested) writeSnapshotForFiles(w, n);
  const r = new ByteReader(w.toBytes(), 'snapshot.bin');
  const s = readVersionedSnapshot(r);
  r.expectEnd('the snapshot');
  return s;
}

// ------------------------------------------------------------------------------------------------
// A binary row builder (little-endian slots, as Flink writes them on x86 and ARM)
// ------------------------------------------------------------------------------------------------

type Field =
  | null
  | { fixed: (dv: DataView, slot: number) => void }
  | { inline: Uint8Array }
  | { variable: Uint8Array; slotLow?: number }
  | { timestamp: bigint; nanos: number };

function binaryRow(kind: number, fields: Field[]): Uint8Array {
  const bits = Math.floor((fields.length + 63 + 8) / 64) * 8;
  const fixed = bits + 8 * fields.length;
  const varParts: Uint8Array[] = [];
  let varSize = 0;
  const offsets: number[] = [];
  for (const f of fields) {
    offsets.push(fixed + varSize);
    const part = f && 'variable' in f ? f.variable : f && 'timestamp' in f ? new Uint8Array(8) : undefined;
    if (part) {
      const padded = Math.ceil(part.length / 8) * 8;
      varParts.push(part, new Uint8Array(padded - part.length));
      varSize += padded;
    }
  }
  const out = new Uint8Array(fixed + varSize);
  const dv = new DataView(out.buffer);
  out[0] = kind;
  let p = fixed;
  for (const v of varParts) {
    out.set(v, p);
    p += v.length;
  }
  fields.forEach((f, i) => {
    const slot = bits + 8 * i;
    if (f === null) out[(i + 8) >> 3] |= 1 << ((i + 8) & 7);
    else if ('fixed' in f) f.fixed(dv, slot);
    else if ('inline' in f) {
      out.set(f.inline, slot);
      out[slot + 7] = 0x80 | f.inline.length;
    } else if ('variable' in f) {
      dv.setInt32(slot, f.slotLow ?? f.variable.length, true);
      dv.setInt32(slot + 4, offsets[i], true);
    } else {
      dv.setInt32(slot, f.nanos, true);
      dv.setInt32(slot + 4, offsets[i], true);
      dv.setBigInt64(offsets[i], f.timestamp, true);
    }
  });
  return out;
}

/** RowDataSerializer's value: i32 length, then the row. */
function value(row: Uint8Array): Uint8Array {
  return new ByteWriter().i32(row.length).bytes(row).toBytes();
}

const i32 = (v: number): Field => ({ fixed: (dv, s) => dv.setInt32(s, v, true) });
const i64 = (v: bigint): Field => ({ fixed: (dv, s) => dv.setBigInt64(s, v, true) });
const utf8 = (s: string) => new TextEncoder().encode(s);

function decodeJson(s: SerializerSnapshot, bytes: Uint8Array): string {
  const c = codecFor(s);
  const r = new ByteReader(bytes, 'value.bin');
  const v = c.decode(r);
  r.expectEnd('the value');
  return c.toJson(v);
}

function decodeError(s: SerializerSnapshot, bytes: Uint8Array): SavepointFormatError {
  try {
    decodeJson(s, bytes);
  } catch (e) {
    assert.ok(e instanceof SavepointFormatError, `a SavepointFormatError, got ${e}`);
    return e;
  }
  return assert.fail('no error');
}

/** The snapshots of one state of the sql-groupby corpus case (subtask 0's header). */
function corpusState(operator: string, state: string): { key: SerializerSnapshot; value: SerializerSnapshot } {
  const p = corpusKeyedHeader(SAVEPOINT, operator, 'npm run corpus -- --version 1.20.3 --case sql-groupby');
  const st = p.states.find((s) => s.name === state);
  assert.ok(st, state);
  const value = [...st.serializers.entries()].find(([k]) => /VALUE/.test(k))?.[1];
  assert.ok(value, `the value serializer of ${state}`);
  return { key: p.keySerializer, value };
}

describe('Table API / SQL rows (RowData)', () => {
  describe('Java serialization: LogicalTypes', () => {
    it('reads the LogicalTypes of the real SQL job (sql-groupby) with their parameters', () => {
      const acc = corpusState(GROUP_AGG, 'accState');
      assert.equal(
        typeString(acc.value),
        'RowData<BIGINT, DOUBLE, DECIMAL(38, 2), DECIMAL(10, 2), DECIMAL(38, 14), STRING, STRING, TIMESTAMP(3), TIMESTAMP(9), TIMESTAMP_LTZ(3), DATE, TIME(0), BOOLEAN, TINYINT, SMALLINT, FLOAT, STRING>',
      );
      assert.equal(typeString(acc.key), 'RowData<INT NOT NULL, STRING>');
      const types = acc.value.rowData!.types;
      assert.deepEqual([types[2].precision, types[2].scale, types[9].timestampKind], [38, 2, 'REGULAR']);
      // the nested field serializer snapshots were read too (StringData, DecimalData, TimestampData, …)
      assert.equal(acc.value.nested.length, types.length);
      assert.ok(acc.value.nested.some((n) => n.className.endsWith('StringDataSerializer$StringDataSerializerSnapshot')));
      const dedup = corpusState(DEDUP, 'deduplicate-state').value;
      assert.match(typeString(dedup), /ROW<`label` STRING, `n` INT, `missing` STRING> NOT NULL, ARRAY<INT NOT NULL> NOT NULL, MAP<CHAR\(1\) NOT NULL, BIGINT NOT NULL> NOT NULL, TIMESTAMP_LTZ\(3\) NOT NULL \*PROCTIME\*>$/);
      assert.equal(isOpaque(acc.value), false);
      assert.equal(isOpaque(dedup), false, 'RowData with raw fields is still decodable');
    });

    it('names types like Flink’s summary strings; other roots by their name', () => {
      assert.equal(logicalTypeName(readType(INT())), 'INT');
      assert.equal(logicalTypeName(readType(BIGINT_NN())), 'BIGINT NOT NULL');
      assert.equal(logicalTypeName(readType(STRING())), 'STRING');
      assert.equal(logicalTypeName(readType(VARCHAR(10))), 'VARCHAR(10)');
      assert.equal(logicalTypeName(readType(BYTES())), 'BYTES');
      assert.equal(logicalTypeName(readType(DECIMAL(10, 2))), 'DECIMAL(10, 2)');
      assert.equal(logicalTypeName(readType(TIMESTAMP(3, 'ROWTIME'))), 'TIMESTAMP(3) *ROWTIME*');
      assert.equal(logicalTypeName(readType(LTZ(3))), 'TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*');
      assert.equal(logicalTypeName(readType(ARRAY())), 'ARRAY NOT NULL');
      const legacy = readType(LEGACY_DECIMAL());
      assert.equal(legacy.decoded, false);
      assert.equal(logicalTypeName(legacy), 'DECIMAL');
    });

    it('fails with a SavepointFormatError (file, offset, expected) at every truncation of a real snapshot', () => {
      const raw = corpusState(GROUP_AGG, 'accState').value.raw!;
      // every cut inside the first LogicalType streams, then every 7th byte of the rest
      for (let n = 0; n < raw.length; n += n < 1200 ? 1 : 7) {
        const r = new ByteReader(raw.subarray(0, n), 'cut.bin', 1000);
        assert.throws(
          () => readVersionedSnapshot(r),
          (e: unknown) => e instanceof SavepointFormatError && e.file === 'cut.bin' && e.offset >= 1000 && e.offset <= 1000 + n,
          `cut at ${n}`,
        );
      }
      // and the whole snapshot reads back to the same bytes
      const r = new ByteReader(raw, 'whole.bin');
      readVersionedSnapshot(r);
      r.expectEnd('the snapshot');
    });

    it('garbage: only SavepointFormatErrors, whatever byte is changed', () => {
      const raw = corpusState(GROUP_AGG, 'accState').value.raw!;
      let errors = 0;
      for (let i = 0; i < Math.min(raw.length, 1500); i++) {
        for (const x of [0x00, 0x70, 0x71, 0x73, 0x75, 0x7e, 0xff]) {
          const b = raw.slice();
          b[i] = x;
          try {
            readVersionedSnapshot(new ByteReader(b, 'garbage.bin'));
          } catch (e) {
            assert.ok(e instanceof SavepointFormatError, `byte ${i} = ${x}: ${e}`);
            errors++;
          }
        }
      }
      assert.ok(errors > 0);
    });

    it('bounds nesting, handles, array lengths and references', () => {
      const deep = new ByteWriter().u16(0xaced).u16(5);
      for (let i = 0; i < 200; i++) deep.u8(0x75).u8(0x72).utf('[Ljava.lang.Object;').i64(0n).u8(0x02).u16(0).u8(0x78).u8(0x70).i32(1);
      assert.throws(() => readLogicalType(new ByteReader(deep.toBytes(), 'deep.bin')), (e: unknown) => e instanceof SavepointFormatError && /nesting of at most/.test(e.message));
      const big = new ByteWriter().u16(0xaced).u16(5).u8(0x75).u8(0x72).utf('[I').i64(0n).u8(0x02).u16(0).u8(0x78).u8(0x70).i32(0x7fffffff);
      assert.throws(() => new JavaStreamReader(new ByteReader(big.toBytes(), 'big.bin')).readContent(), SavepointFormatError); // no header: fails early
      const r = new ByteReader(big.toBytes(), 'big.bin');
      const jr = new JavaStreamReader(r);
      jr.readStreamHeader();
      assert.throws(() => jr.readContent(), (e: unknown) => e instanceof SavepointFormatError && /array length/.test(e.message));
      const ref = new ByteWriter().u16(0xaced).u16(5).u8(0x71).i32(0x7e0005);
      assert.throws(() => readLogicalType(new ByteReader(ref.toBytes(), 'ref.bin')), (e: unknown) => e instanceof SavepointFormatError && /known Java handle/.test(e.message));
      const reset = new ByteWriter().u16(0xaced).u16(5).u8(0x79);
      assert.throws(() => readLogicalType(new ByteReader(reset.toBytes(), 'reset.bin')), (e: unknown) => e instanceof SavepointFormatError && /type code/.test(e.message));
    });

    it('rejects objects that are not LogicalTypes, and out-of-range parameters', () => {
      const str = new ByteWriter().u16(0xaced).u16(5).u8(0x74).utf('hello').toBytes();
      assert.throws(() => readType(str), (e: unknown) => e instanceof SavepointFormatError && /LogicalType object/.test(e.message));
      assert.throws(() => readType(DECIMAL(39, 2)), (e: unknown) => e instanceof SavepointFormatError && /precision of a DecimalType between 1 and 38/.test(e.message));
      assert.throws(() => readType(DECIMAL(10, 11)), (e: unknown) => e instanceof SavepointFormatError && /scale/.test(e.message));
      assert.throws(() => readType(TIMESTAMP(10)), SavepointFormatError);
    });
  });

  describe('binary rows', () => {
    const strRow = rowDataSnapshot([STRING(), STRING(), STRING(), BYTES()]);

    it('strings of up to 7 bytes inline, longer ones in the variable-length part, nulls and row kinds', () => {
      for (const [kind, name] of [[0, '+I'], [1, '-U'], [2, '+U'], [3, '-D']] as const) {
        const row = binaryRow(kind, [{ inline: new Uint8Array(0) }, { inline: utf8('seven77') }, { variable: utf8('eight888') }, null]);
        assert.equal(decodeJson(strRow, value(row)), `{"$row":"${name}","fields":["","seven77","eight888",null]}`);
      }
      const row = binaryRow(0, [{ inline: utf8('é✓') }, { variable: utf8('😀 outside the BMP') }, null, { inline: Uint8Array.from([0, 255]) }]);
      assert.equal(decodeJson(strRow, value(row)), '{"$row":"+I","fields":["é✓","😀 outside the BMP",null,{"$hex":"00ff"}]}');
      // a BOM is content, as for Java
      assert.equal(decodeJson(strRow, value(binaryRow(0, [{ inline: Uint8Array.from([0xef, 0xbb, 0xbf]) }, null, null, null]))), '{"$row":"+I","fields":["\ufeff",null,null,null]}');
    });

    it('decimals (compact and not), timestamps (compact and not, before 1970), DATE, TIME, nested rows, raw fields', () => {
      const s = rowDataSnapshot([DECIMAL(10, 2), DECIMAL(38, 14), DECIMAL(20, 0), TIMESTAMP(3), TIMESTAMP(9), LTZ(3), DATE(), TIME(), ARRAY(), LEGACY_DECIMAL(), BIGINT_NN()]);
      const big = Uint8Array.from([0xff, 0x0c]); // -244
      const row = binaryRow(0, [
        i64(-5n), // -0.05
        { variable: big }, // -0.00000000000244
        { variable: Uint8Array.from([0x56, 0xbc, 0x75, 0xe2, 0xd6, 0x31, 0x00, 0x00, 0x00]) }, // 21 digits: more than 20 → null
        i64(-877n), // 1969-12-31T23:59:59.123
        { timestamp: -877n, nanos: 456_789 },
        i64(1_000n),
        i32(-1), // 1969-12-31
        i32(86_399_999), // 23:59:59.999
        { variable: Uint8Array.from([2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0]) },
        i64(42n),
        i64(-(2n ** 63n)),
      ]);
      assert.equal(
        decodeJson(s, value(row)),
        '{"$row":"+I","fields":["-0.05","-0.00000000000244",null,"1969-12-31T23:59:59.123000000","1969-12-31T23:59:59.123456789","1970-01-01T00:00:01.000000000Z",' +
          '"1969-12-31","23:59:59.999000000",{"$raw":"02000000000000000100000007000000","type":"ARRAY NOT NULL"},{"$raw":"2a00000000000000","type":"DECIMAL"},-9223372036854775808]}',
      );
      assert.equal(decimalPlainString(5n, 3), '0.005');
      assert.equal(decimalPlainString(-12345n, 2), '-123.45');
      assert.equal(timestampText(-1n, 999_999, false), '1969-12-31T23:59:59.999999999');
    });

    it('a nested ROW has its own header, null bits and offsets', () => {
      const rowType = new JavaWriter().header();
      // RowType with fields List<RowField> as Collections$UnmodifiableList(ArrayList)
      rowType.logicalType('RowType', 'ROW', true, [
        {
          t: 'L',
          name: 'fields',
          sig: 'Ljava/util/List;',
          write: () => {
            const j = rowType;
            j.w.u8(0x73);
            j.classDesc('java.util.Collections$UnmodifiableList', 0x02, [{ t: 'L', name: 'list', sig: 'Ljava/util/List;' }], () =>
              j.classDesc('java.util.Collections$UnmodifiableCollection', 0x02, [{ t: 'L', name: 'c', sig: 'Ljava/util/Collection;' }]),
            );
            j.newHandle(); // the UnmodifiableList
            // c: the ArrayList (SC_WRITE_METHOD | SC_SERIALIZABLE)
            j.w.u8(0x73);
            j.classDesc('java.util.ArrayList', 0x03, [{ t: 'I', name: 'size' }]);
            const arrayListHandle = j.newHandle();
            j.w.i32(2);
            j.w.u8(0x77).u8(4).i32(2); // writeObject: capacity as block data
            for (const [name, root, cls] of [['a', 'INTEGER', 'IntType'], ['b', 'VARCHAR', 'VarCharType']]) {
              j.w.u8(0x73);
              j.classDesc(LOGICAL + 'RowType$RowField', 0x02, [
                { t: 'L', name: 'description', sig: 'Ljava/lang/String;' },
                { t: 'L', name: 'name', sig: 'Ljava/lang/String;' },
                { t: 'L', name: 'type', sig: `L${LOGICAL.replace(/\./g, '/')}LogicalType;` },
              ]);
              j.newHandle();
              j.w.u8(0x70);
              j.string(name);
              j.logicalType(cls, root, true, cls === 'VarCharType' ? [{ t: 'I', name: 'length', v: 2147483647 }] : []);
            }
            j.w.u8(0x78); // end of ArrayList's writeObject data
            // list: the same ArrayList
            j.w.u8(0x71).i32(0x7e0000 + arrayListHandle);
          },
        },
      ]);
      const t = readType(rowType.bytes());
      assert.equal(logicalTypeName(t), 'ROW<`a` INT, `b` STRING>');
      const s = rowDataSnapshot([INT(), rowType.bytes()]);
      const inner = binaryRow(2, [null, { variable: utf8('nested string') }]);
      const row = binaryRow(0, [i32(7), { variable: inner }]);
      assert.equal(decodeJson(s, value(row)), '{"$row":"+I","fields":[7,{"$row":"+U","fields":[null,"nested string"]}]}');
    });

    it('bad rows: SavepointFormatErrors with the file offset', () => {
      const s = rowDataSnapshot([STRING(), TIME(), TIMESTAMP(9)]);
      const ok = binaryRow(0, [{ inline: utf8('x') }, i32(0), { timestamp: 0n, nanos: 0 }]);
      assert.match(decodeError(s, value(ok.subarray(0, 16))).message, /length between 32/);
      assert.match(decodeError(s, new ByteWriter().i32(ok.length + 1).bytes(ok).toBytes()).message, /RowData length/);
      const kind = ok.slice();
      kind[0] = 4;
      assert.match(decodeError(s, value(kind)).message, /RowKind byte/);
      const inline = ok.slice();
      inline[8 + 7] = 0x88; // inline length 8
      assert.match(decodeError(s, value(inline)).message, /inline string of at most 7 bytes/);
      const outside = binaryRow(0, [{ variable: utf8('0123456789'), slotLow: 200 }, i32(0), { timestamp: 0n, nanos: 0 }]);
      const e = decodeError(s, value(outside));
      assert.match(e.message, /offset and length of a string within the row/);
      assert.equal(e.offset, 4 + 8, 'the offset of the bad slot in the file');
      assert.match(decodeError(s, value(binaryRow(0, [null, i32(86_400_000), null]))).message, /TIME value/);
      assert.match(decodeError(s, value(binaryRow(0, [null, null, { timestamp: 0n, nanos: 1_000_000 }]))).message, /nanoseconds of a millisecond/);
    });

    it('ARRAY and MULTISET fields: elements by their type (strings inline and in the variable part, nulls), counts checked; bytes re-encoded exactly', () => {
      assert.equal(logicalTypeName(readType(ARRAY_OF_STRING())), 'ARRAY<STRING>');
      assert.equal(logicalTypeName(readType(MULTISET_OF_INT())), 'MULTISET<INT>');
      assert.equal(logicalTypeName(readType(ARRAY())), 'ARRAY NOT NULL', 'without an element type: raw, by its root');
      // ARRAY<STRING> ["ab", null, "longer than 7"]: count, null bits (element 1), three 8-byte slots, the long string padded
      const arr = new Uint8Array(48);
      const adv = new DataView(arr.buffer);
      adv.setInt32(0, 3, true);
      arr[4] = 0b010;
      arr.set(utf8('ab'), 8);
      arr[15] = 0x80 | 2;
      adv.setInt32(24, 13, true);
      adv.setInt32(28, 32, true);
      arr.set(utf8('longer than 7'), 32);
      // MULTISET<INT> {7: 2}: the key array's size, keys (INT: 4-byte slots), values (the INT counts)
      const keys = new Uint8Array(16);
      new DataView(keys.buffer).setInt32(0, 1, true);
      new DataView(keys.buffer).setInt32(8, 7, true);
      const counts = new Uint8Array(16);
      new DataView(counts.buffer).setInt32(0, 1, true);
      new DataView(counts.buffer).setInt32(8, 2, true);
      const ms = new Uint8Array(4 + 32);
      new DataView(ms.buffer).setInt32(0, 16, true);
      ms.set(keys, 4);
      ms.set(counts, 20);
      const s = rowDataSnapshot([ARRAY_OF_STRING(), MULTISET_OF_INT()]);
      const row = binaryRow(0, [{ variable: arr }, { variable: ms }]);
      assert.equal(decodeJson(s, value(row)), '{"$row":"+I","fields":[["ab",null,"longer than 7"],[[7,2]]]}');
      // decode → encode gives the same bytes (what BinaryArrayWriter writes)
      const c = codecFor(s);
      const out = new ByteWriter();
      c.encode(c.decode(new ByteReader(value(row), 'value.bin')), out);
      assert.equal(toHex(out.toBytes()), toHex(value(row)));
      // an element count the array's bytes cannot hold
      const bad = Uint8Array.from(arr);
      new DataView(bad.buffer).setInt32(0, 100, true);
      assert.match(decodeError(s, value(binaryRow(0, [{ variable: bad }, { variable: ms }]))).message, /at offset \d+: expected an array element count that fits its 48 bytes, found 100/);
    });

    it('BinaryRowDataSerializer (no field types): kind, arity and bytes', () => {
      const w = new ByteWriter().utf(`${TABLE}BinaryRowDataSerializer$BinaryRowDataSerializerSnapshot`).i32(3).i32(2).toBytes();
      const s = readVersionedSnapshot(new ByteReader(w, 'b.bin'));
      assert.equal(typeString(s), 'BinaryRow<2>');
      const row = binaryRow(3, [i32(1), { inline: utf8('ab') }]);
      assert.equal(decodeJson(s, value(row)), `{"$row":"-D","arity":2,"hex":"${toHex(row)}"}`);
      assert.match(decodeError(s, value(row.subarray(0, 20))).message, /BinaryRowData length/);
    });

    it('the table runtime\'s data serializers on their own: StringData, DecimalData and TimestampData decoded like row fields; arrays, maps and windows read as Unknown', () => {
      const w = new ByteWriter();
      w.utf(`${TABLE}DecimalDataSerializer$DecimalSerializerSnapshot`).i32(3).i32(10).i32(2);
      w.utf(`${TABLE}DecimalDataSerializer$DecimalSerializerSnapshot`).i32(3).i32(38).i32(14);
      w.utf(`${TABLE}TimestampDataSerializer$TimestampDataSerializerSnapshot`).i32(1).i32(3);
      w.utf(`${TABLE}TimestampDataSerializer$TimestampDataSerializerSnapshot`).i32(1).i32(9);
      w.utf(`${TABLE}StringDataSerializer$StringDataSerializerSnapshot`).i32(3);
      w.utf(`${TABLE}ArrayDataSerializer$ArrayDataSerializerSnapshot`).i32(3).bytes(INT()).bytes(INT());
      w.utf('org.apache.flink.table.runtime.operators.window.TimeWindow$Serializer$TimeWindowSerializerSnapshot').i32(3);
      const r = new ByteReader(w.toBytes(), 'several.bin');
      const [dec, bigDec, ts, ts9, str, arr, win] = [1, 2, 3, 4, 5, 6, 7].map(() => readVersionedSnapshot(r));
      r.expectEnd('the snapshots');
      assert.deepEqual([dec, bigDec, ts, ts9, str, arr, win].map((x) => typeString(x)), [
        'DecimalData(10, 2)',
        'DecimalData(38, 14)',
        'TimestampData(3)',
        'TimestampData(9)',
        'StringData',
        `Unknown<${TABLE}ArrayDataSerializer$ArrayDataSerializerSnapshot>`,
        'Unknown<org.apache.flink.table.runtime.operators.window.TimeWindow$Serializer$TimeWindowSerializerSnapshot>',
      ]);
      // StringData: i32 length, UTF-8
      const s = utf8('customer-9-é✓😀');
      assert.equal(decodeJson(str, new ByteWriter().i32(s.length).bytes(s).toBytes()), '"customer-9-é✓😀"');
      assert.match(decodeError(str, new ByteWriter().i32(-1).toBytes()).message, /at offset 0: expected a StringData length between 0 and 0, found -1/);
      assert.match(decodeError(str, new ByteWriter().i32(9).bytes(utf8('short')).toBytes()).message, /StringData length between 0 and 5, found 9/);
      // DecimalData: compact as the unscaled long, else BigInteger bytes; too many digits read as null
      assert.equal(decodeJson(dec, new ByteWriter().i64(-13750n).toBytes()), '"-137.50"');
      assert.equal(decodeJson(bigDec, new ByteWriter().i32(2).bytes(new Uint8Array([0x30, 0x39])).toBytes()), '"0.00000000012345"');
      const tooLong = new ByteWriter().i32(17).bytes(new Uint8Array(17).fill(0x7f)).toBytes();
      assert.equal(decodeJson(bigDec, tooLong), 'null');
      assert.match(decodeError(bigDec, new ByteWriter().i32(0).toBytes()).message, /a DecimalData length between 1 and 0, found 0/);
      // TimestampData: millis, then (precision > 3) the nanoseconds of the millisecond
      assert.equal(decodeJson(ts, new ByteWriter().i64(1709251152123n).toBytes()), '"2024-02-29T23:59:12.123000000"');
      assert.equal(decodeJson(ts9, new ByteWriter().i64(-877n).i32(456789).toBytes()), '"1969-12-31T23:59:59.123456789"');
      assert.match(decodeError(ts9, new ByteWriter().i64(0n).i32(1_000_000).toBytes()).message, /at offset 8: expected the nanoseconds of a millisecond \(0 to 999999\) of a TimestampData, found 1000000/);
      // read-only like rows
      for (const x of [dec, ts, str]) assert.throws(() => encoderFor(x), (e: Error) => e instanceof EncodeError && /Table API \/ SQL rows and values .* are read-only/.test(e.message));
    });
  });

  describe('lookup by key (a row key given as the JSON array of its fields)', () => {
    const SQL_CASES = ['flink-1.20.3/sql-groupby', 'flink-1.20.3/sql-rocksdb', 'flink-1.20.3/sql-distinct', 'flink-2.3.0/sql-groupby', 'flink-2.3.0/sql-rocksdb', 'flink-2.3.0/sql-distinct'];

    it('finds every key of the real SQL savepoints in the key group Flink put it in (BinaryRowData hash), and only its entries', async () => {
      let keys = 0;
      for (const name of SQL_CASES) {
        const dir = path.join(CORPUS_ROOT, name);
        const lines = fs.readFileSync(path.join(dir, 'dump.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; operator: string; state: string; keyGroup: number; key?: { $row?: string; fields: unknown[] } });
        const sp = await openSavepoint(path.join(dir, 'savepoint'));
        const rowKeyed = lines.filter((l) => l.type === 'entry' && l.key?.$row !== undefined);
        assert.ok(rowKeyed.length >= 10, `${name}: entries with row keys`);
        for (const l of rowKeyed) {
          const text = JSON.stringify(l.key!.fields);
          const found = await lookup(sp, l.operator, l.state, text);
          const want = rowKeyed.filter((x) => x.operator === l.operator && x.state === l.state && JSON.stringify(x.key) === JSON.stringify(l.key));
          assert.deepEqual(found.map((e) => JSON.parse(e.line)), want, `${name} ${l.state} ${text}`);
          assert.ok(found.every((e) => e.keyGroup === l.keyGroup));
          // the dump's own rendering of the key works as well
          assert.equal((await lookup(sp, l.operator, l.state, JSON.stringify(l.key))).length, want.length);
          keys++;
        }
      }
      assert.ok(keys >= 80, `${keys} keys looked up`);
    });

    it('fsp dump --key with a row key; a key that does not fit its row type is an error line naming the field', async () => {
      const sp = path.join(CORPUS_ROOT, 'flink-1.20.3/sql-groupby/savepoint');
      const m = memoryIo();
      assert.equal(await main(['dump', sp, '--operator', GROUP_AGG, '--state', 'accState', '--key', '[4,"eu"]'], m.io), 0, m.err());
      const entries = m.out().trim().split('\n').filter((l) => l.startsWith('{"type":"entry"'));
      assert.equal(entries.length, 1);
      assert.match(entries[0], /"key":\{"\$row":"\+I","fields":\[4,"eu"\]\}/);
      for (const [key, why] of [
        ['[4]', /the key row has 2 fields \(INT NOT NULL, STRING\), not 1/],
        ['[null,"eu"]', /key field 0 \(INT NOT NULL\) is NOT NULL/],
        ['["four","eu"]', /key field 0 \(INT NOT NULL\): not an integer: \\"four\\"/],
        ['[4294967296,"eu"]', /key field 0 \(INT NOT NULL\): 4294967296 does not fit/],
        ['eu', /is the JSON array of its fields/],
      ] as const) {
        const b = memoryIo();
        assert.equal(await main(['dump', sp, '--operator', GROUP_AGG, '--state', 'accState', '--key', key], b.io), 1, key);
        assert.match(b.out(), why, key);
      }
    });

    it('the entries editor looks up a row key too (read-only rows)', async () => {
      const sp = path.join(CORPUS_ROOT, 'flink-2.3.0/sql-groupby/savepoint');
      const m = await StateModel.open({ savepoint: sp, operator: GROUP_AGG, state: 'accState' });
      try {
        assert.equal(m.info.canLookup, true, 'the editor offers the lookup field');
        assert.equal(m.info.canAdd, false, 'SQL state stays read-only');
        const r = await m.lookup('[4, "eu"]');
        assert.equal(r.key, '{"$row":"+I","fields":[4,"eu"]}');
        assert.equal(r.rows.length, 1);
        assert.equal(r.rows[0].key, r.key);
        assert.equal(r.rows[0].keyGroup, r.keyGroup);
        assert.equal((await m.lookup('[4, "nowhere"]')).rows.length, 0);
        await assert.rejects(m.lookup('[4]'), /the key row has 2 fields/);
      } finally {
        await m.close();
      }
    });

    it('the hash of a binary row takes whole 4-byte words and its length', () => {
      // zero words of different counts hash differently: the length is part of the hash
      assert.notEqual(binaryRowHash(new Uint8Array(16)), binaryRowHash(new Uint8Array(24)));
      assert.throws(() => binaryRowHash(new Uint8Array(6)), /whole 4-byte words/);
    });
  });

  describe('writing', () => {
    it('encoders refuse RowData with a clear error, nested ones too; the editor shows it read-only', () => {
      const s = rowDataSnapshot([INT(), STRING()]);
      for (const x of [s, S.composite('list', [s]), S.ttl(s)]) {
        assert.throws(() => encoderFor(x), (e: unknown) => e instanceof EncodeError && /cannot be written: Table API \/ SQL rows/.test(e.message), typeString(x));
      }
      assert.equal(tablePart(S.composite('map', [S.simple('string'), s])), s);
      const t = (value: SerializerSnapshot, key: SerializerSnapshot = S.simple('string')): StateTypes =>
        ({ name: 's', backend: 'KEY_VALUE', kind: 'VALUE', key, namespace: S.simple('voidNamespace'), value }) as StateTypes;
      assert.match(readOnlyReason(t(s))!.reason, /RowData<INT, STRING> are read-only \(Table API \/ SQL rows/);
      assert.match(readOnlyReason(t(S.simple('long'), s))!.reason, /read-only/);
      assert.equal(readOnlyReason(t(S.simple('long'))), undefined);
    });

    it('snapshots are copied byte for byte when a savepoint is rewritten', () => {
      const s = corpusState(GROUP_AGG, 'accState').value;
      const w = new ByteWriter();
      writeSnapshotForFiles(w, s);
      assert.equal(toHex(w.toBytes()), toHex(s.raw!));
    });

    it('fsp edit refuses RowData state and writes nothing; remove-operator carries the SQL state over unchanged', async () => {
      const dir = tmp('fsp-rowdata-');
      try {
        const out = path.join(dir, 'edited');
        const r = await cli('edit', SAVEPOINT, '--out', out, '--operator', GROUP_AGG, '--state', 'accState', '--set', '"x"=1');
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /Table API \/ SQL rows/);
        assert.ok(!fs.existsSync(out), 'nothing written');
        const removed = path.join(dir, 'removed');
        const rr = await cli('remove-operator', SAVEPOINT, '--out', removed, '--operator', DEDUP);
        assert.equal(rr.code, 0, rr.stderr);
        const m = memoryIo();
        assert.equal(await main(['dump', removed], m.io), 0, m.err());
        const expected = fs.readFileSync(path.join(CASE, 'dump.jsonl'), 'utf8').split('\n')
          .filter((l) => l && !l.includes(DEDUP))
          .map((l) => (l.startsWith('{"type":"savepoint"') ? l.replace(/"operators":(\d+)/, (_m, n) => `"operators":${Number(n) - 1}`) : l));
        assert.deepEqual(m.out().split('\n').filter(Boolean), expected);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
