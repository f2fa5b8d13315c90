package dev.flinksavepoints.engine.corpus

import org.apache.flink.api.common.functions.{MapFunction, OpenContext}
import org.apache.flink.api.common.state.{ListState, ListStateDescriptor, MapState, MapStateDescriptor, ValueState, ValueStateDescriptor}
import org.apache.flink.api.common.typeinfo.TypeInformation
import org.apache.flink.streaming.api.functions.KeyedProcessFunction
import org.apache.flink.streaming.api.scala._
import org.apache.flink.util.Collector

// ------------------------------------------------------------------------------------------------
// The types-scala corpus job (Flink 1.x only): state declared with the Scala API's
// createTypeInformation macro, so its serializers are exactly what a Scala user's job writes.
// Every value is derived from the record's key index k (0..11) only.
// ------------------------------------------------------------------------------------------------

/** A Scala Enumeration with a gap in its ids and a renamed value. */
object ScalaLevel extends Enumeration {
  val Low: Value = Value
  val Mid: Value = Value(5, "middle")
  val High: Value = Value
}

case class ScalaAddress(street: String, city: String, zip: Int)

/** A nested case class, an Option field, a Scala tuple, collections and an Enumeration value. */
case class ScalaOrder(
    id: Long,
    customer: String,
    address: ScalaAddress,
    note: Option[String],
    pair: (String, Int),
    tags: List[String],
    level: ScalaLevel.Value,
    scores: Map[String, Int],
    amount: Double)

/** A case class key. */
case class ScalaAccount(name: String, n: Int)

/** A case class without fields (its values are zero bytes). */
case class ScalaEmpty()

/** Neither a case class nor a POJO (immutable fields, no zero-argument constructor): Kryo. */
class ScalaNote(val text: String, val n: Int)

/** Kryo in the last field: decodable in tail position. */
case class ScalaTagged(label: String, note: ScalaNote)

/** Kryo before another field: shown raw. */
case class ScalaNoteFirst(note: ScalaNote, label: String)

case class ScalaRec(key: String, k: Int)

object ScalaJobs {
  val Keys: Int = 12

  val TYPES: Jobs.Job = new Jobs.Job {
    override def build(ctx: Jobs.Ctx): Unit = {
      val ids = new DataStream[java.lang.Long](ctx.ids("ids", 2L * Keys, 1))
      val recs: DataStream[ScalaRec] = ids.map(new ToRec).uid("records").name("records").setParallelism(1)
      val byKey = recs.keyBy(_.key).process(new ScalaTypesFn).uid("scala-state").name("scala-state")
      val byAccount = recs.keyBy(r => ScalaAccount(r.key, r.k % 3)).process(new ScalaAccountFn).uid("account-state").name("account-state")
      Jobs.discard(byKey.union(byAccount).javaStream, "sink")
    }
  }
}

class ToRec extends MapFunction[java.lang.Long, ScalaRec] {
  override def map(id: java.lang.Long): ScalaRec = {
    val k = (id % ScalaJobs.Keys).toInt
    ScalaRec(Jobs.KEYS(k), k)
  }
}

object ScalaValues {
  def address(k: Int): ScalaAddress =
    ScalaAddress(if (k % 4 == 1) null else "Main St " + k, if (k % 2 == 0) "Zürich" else "日本", 8000 + k)

  def order(k: Int): ScalaOrder = ScalaOrder(
    id = 1000L + k,
    customer = Jobs.KEYS(k),
    address = address(k),
    note = if (k % 3 == 0) None else Some("note " + k),
    pair = ("p" + k, -k),
    tags = List.tabulate(k % 4)(i => "t" + i),
    level = ScalaLevel(Array(0, 5, 6)(k % 3)),
    scores = (0 until k % 5).map(i => ("s" + i) -> i * k).toMap,
    amount = k * 2.5)

  def option(k: Int): Option[String] = k % 4 match {
    case 0 => None
    case 1 => Some(null) // Some(null) is not None: StringSerializer writes a null String
    case 2 => Some("")
    case _ => Some("some " + Jobs.KEYS(k))
  }

  def optionLong(k: Int): Option[Long] = if (k % 2 == 0) Some(if (k == 0) Long.MinValue else k * 1000000007L) else None

  def either(k: Int): Either[String, Long] = if (k % 2 == 0) Left("left " + k) else Right(Long.MaxValue - k)

  def eitherNested(k: Int): Either[ScalaAddress, (Int, Option[String])] =
    if (k % 3 == 0) Left(address(k)) else Right((k, if (k % 2 == 0) Some("r" + k) else None))

  def list(k: Int): List[String] = k % 4 match {
    case 0 => Nil
    case 1 => List("a", null, "c") // TraversableSerializer keeps null elements
    case _ => List.tabulate(k)(i => Jobs.KEYS((k + i) % Jobs.KEYS.length))
  }

  def set(k: Int): Set[Int] = (0 until k % 7).map(i => i * 10 + k).toSet

  def note(k: Int): ScalaNote = new ScalaNote("note-" + k, k * 3)
}

class ScalaTypesFn extends KeyedProcessFunction[String, ScalaRec, String] {
  @transient private var caseClass: ValueState[ScalaOrder] = _
  @transient private var tuple: ValueState[(String, Long)] = _
  @transient private var option: ValueState[Option[String]] = _
  @transient private var optionLong: ValueState[Option[Long]] = _
  @transient private var optionCaseClass: ValueState[Option[ScalaAddress]] = _
  @transient private var either: ValueState[Either[String, Long]] = _
  @transient private var eitherNested: ValueState[Either[ScalaAddress, (Int, Option[String])]] = _
  @transient private var list: ValueState[List[String]] = _
  @transient private var set: ValueState[Set[Int]] = _
  @transient private var enumeration: ValueState[ScalaLevel.Value] = _
  @transient private var empty: ValueState[ScalaEmpty] = _
  @transient private var kryoTail: ValueState[ScalaTagged] = _
  @transient private var kryoFirst: ValueState[ScalaNoteFirst] = _
  @transient private var optionKryo: ValueState[Option[ScalaNote]] = _
  @transient private var eitherKryo: ValueState[Either[String, ScalaNote]] = _
  @transient private var addresses: MapState[String, ScalaAddress] = _
  @transient private var byAccount: MapState[ScalaAccount, Either[String, Long]] = _
  @transient private var history: ListState[(Int, Option[String])] = _

  private def value[T](name: String, t: TypeInformation[T]): ValueState[T] =
    getRuntimeContext.getState(new ValueStateDescriptor[T](name, t))

  override def open(openContext: OpenContext): Unit = {
    caseClass = value("caseClass", createTypeInformation[ScalaOrder])
    tuple = value("tuple", createTypeInformation[(String, Long)])
    option = value("option", createTypeInformation[Option[String]])
    optionLong = value("optionLong", createTypeInformation[Option[Long]])
    optionCaseClass = value("optionCaseClass", createTypeInformation[Option[ScalaAddress]])
    either = value("either", createTypeInformation[Either[String, Long]])
    eitherNested = value("eitherNested", createTypeInformation[Either[ScalaAddress, (Int, Option[String])]])
    list = value("list", createTypeInformation[List[String]])
    set = value("set", createTypeInformation[Set[Int]])
    enumeration = value("enumeration", createTypeInformation[ScalaLevel.Value])
    empty = value("empty", createTypeInformation[ScalaEmpty])
    kryoTail = value("kryoTail", createTypeInformation[ScalaTagged])
    kryoFirst = value("kryoFirst", createTypeInformation[ScalaNoteFirst])
    optionKryo = value("optionKryo", createTypeInformation[Option[ScalaNote]])
    eitherKryo = value("eitherKryo", createTypeInformation[Either[String, ScalaNote]])
    addresses = getRuntimeContext.getMapState(
      new MapStateDescriptor[String, ScalaAddress]("addresses", createTypeInformation[String], createTypeInformation[ScalaAddress]))
    byAccount = getRuntimeContext.getMapState(
      new MapStateDescriptor[ScalaAccount, Either[String, Long]](
        "byAccount", createTypeInformation[ScalaAccount], createTypeInformation[Either[String, Long]]))
    history = getRuntimeContext.getListState(
      new ListStateDescriptor[(Int, Option[String])]("history", createTypeInformation[(Int, Option[String])]))
  }

  override def processElement(r: ScalaRec, ctx: KeyedProcessFunction[String, ScalaRec, String]#Context, out: Collector[String]): Unit = {
    val k = r.k
    val v = ScalaValues
    caseClass.update(v.order(k))
    tuple.update((Jobs.KEYS(k), -1000L * k))
    option.update(v.option(k))
    optionLong.update(v.optionLong(k))
    optionCaseClass.update(if (k % 2 == 1) Some(v.address(k)) else None)
    either.update(v.either(k))
    eitherNested.update(v.eitherNested(k))
    list.update(v.list(k))
    set.update(v.set(k))
    enumeration.update(ScalaLevel(Array(0, 5, 6)(k % 3)))
    empty.update(ScalaEmpty())
    kryoTail.update(ScalaTagged("tag " + k, v.note(k)))
    kryoFirst.update(ScalaNoteFirst(v.note(k), "first " + k))
    optionKryo.update(if (k % 2 == 0) Some(v.note(k)) else None)
    eitherKryo.update(if (k % 2 == 0) Left("no note " + k) else Right(v.note(k)))
    addresses.put("home", v.address(k))
    if (k % 2 == 0) addresses.put("work " + k, v.address(k + 1))
    byAccount.put(ScalaAccount(r.key, k % 3), if (k % 2 == 0) Left("acc " + k) else Right(k.toLong))
    // list state: both records of a key append (ids k and k + 12)
    history.add((k, if (k % 3 == 1) None else Some("h" + k)))
    out.collect(r.key)
  }
}

/** Keyed by a case class: a ValueState and an event-time timer (never fires: no watermarks). */
class ScalaAccountFn extends KeyedProcessFunction[ScalaAccount, ScalaRec, String] {
  @transient private var count: ValueState[java.lang.Long] = _

  override def open(openContext: OpenContext): Unit = {
    count = getRuntimeContext.getState(new ValueStateDescriptor[java.lang.Long]("count", createTypeInformation[java.lang.Long]))
  }

  override def processElement(r: ScalaRec, ctx: KeyedProcessFunction[ScalaAccount, ScalaRec, String]#Context, out: Collector[String]): Unit = {
    val c = Option(count.value()).map(_.longValue).getOrElse(0L)
    count.update(c + 1)
    ctx.timerService().registerEventTimeTimer(Jobs.FAR_EVENT_OFFSET + r.k)
    out.collect(r.key)
  }
}
