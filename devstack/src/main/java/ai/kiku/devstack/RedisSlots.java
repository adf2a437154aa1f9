package ai.kiku.devstack;

import java.nio.charset.StandardCharsets;

/** Redis Cluster's key-to-slot mapping (CRC16 with hash tags), so tests know which master owns a key. */
final class RedisSlots {

    private RedisSlots() {
    }

    /** Cluster slot of a key, with hash-tag rules: only the part in the first non-empty {...} is hashed. */
    static int slotOf(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        int start = 0;
        int end = bytes.length;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '{') {
                for (int j = i + 1; j < bytes.length; j++) {
                    if (bytes[j] == '}') {
                        if (j > i + 1) {
                            start = i + 1;
                            end = j;
                        }
                        break;
                    }
                }
                break;
            }
        }
        return crc16(bytes, start, end) & (RedisCluster.SLOTS - 1);
    }

    /** CRC16-CCITT (XModem), the variant Redis Cluster uses. */
    static int crc16(byte[] bytes, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc ^= (bytes[i] & 0xff) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xffff;
        }
        return crc;
    }
}
