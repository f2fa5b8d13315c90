/** uid → Flink operator ID (murmur3_x64_128, seed 0, UTF-8; 32 lowercase hex). Owned by the savepoint reader. */
export { operatorIdFromUid, operatorIdFromUid as operatorIdForUid } from '../engine/savepoint/murmur';
