/**
 * Snapshot bytes: the snapshot format, its split into Kafka-sized chunks, reassembly, and the
 * word2vec export. The text below is the reference for clients in other languages.
 *
 * <pre>
 * ## Snapshot record layout
 *
 * A model snapshot travels on the `snapshots` topic as one or more chunk records.
 *
 * Conventions: every integer and float is big-endian (network order; Java's DataOutput order).
 * int32/int64 are two's complement; float32/float64 are IEEE 754. A "string" is an int32 byte
 * count n followed by n bytes of standard UTF-8 (no terminator). A "matrix" is int32 rows,
 * int32 cols, then rows*cols float32 in row-major order. CRC32C is the Castagnoli CRC
 * (as in iSCSI/ext4; Java java.util.zip.CRC32C, Python crc32c.crc32c, Go
 * crc32.MakeTable(crc32.Castagnoli)), stored as a big-endian unsigned 32-bit value.
 *
 * ### Chunk record (Kafka record value)
 *
 * Key: "<modelId>/<chunk index>" in UTF-8, e.g. "default/0". Value:
 *
 *   offset  size  field
 *   0       4     magic "SVCH" (0x53 0x56 0x43 0x48)
 *   4       4     chunk header version, int32 = 1
 *   8       8     snapshot version, int64 (grows with every snapshot of a model)
 *   16      4     chunk index i, int32, 0 <= i < count
 *   20      4     chunk count, int32 >= 1
 *   24      4     total length T of the encoded snapshot in bytes, int32
 *   28      4     CRC32C of the whole encoded snapshot (all T bytes)
 *   32      n     payload: bytes [i*S, i*S + n) of the encoded snapshot, where S is the
 *                 payload size of every chunk but the last (record size - 36)
 *   32+n    4     CRC32C of bytes [0, 32+n) of this record
 *
 * To read: consume the topic from the beginning; verify each record's trailing CRC32C; group
 * chunks by (snapshot version, count, T, snapshot CRC); when all `count` indexes of a group have
 * arrived, concatenate their payloads in index order (T bytes), check the snapshot CRC32C and
 * decode. Keep the highest version that completes; ignore chunks of versions not newer than it
 * (compaction leaves stale higher-index chunks of older, larger snapshots behind; they never
 * complete). Duplicates of a chunk (same group and index) are ignored.
 *
 * ### Format version 5: row blocks in two slots and a manifest (what the app writes)
 *
 * A snapshot version is published as the row blocks that changed since the previous version,
 * then a manifest. Each of these payloads is split into chunk records exactly as above (usually
 * one chunk each), with the chunk header's snapshot version = the version that published the
 * payload. Keys: `<modelId>/r/<block>.<slot>/<chunk>` for row block `block` in slot 0 or 1,
 * `<modelId>/m.<slot>/<chunk>` for the manifest in slot 0 or 1. A version that fits
 * `snapshot.slice.bytes` is written in one transaction; a bigger one over several transactions
 * (blocks first, the manifest last), so a reader may see the blocks of a version long before its
 * manifest, or never (a writer that died mid-version). Every block has two slots and a version
 * writes only the slots the newest complete manifest does not use; the manifest alternates between
 * its two slots too. Compaction keeps the newest value per key, so the topic always holds the
 * newest complete manifest and every block it names: a reader that starts late reads the topic
 * once and has the newest complete model, then follows the deltas. Readers tell the payloads apart
 * by their first 8 bytes: "SVSN" + 1 or 2 (a whole snapshot, below), "SVSN" + 3 or 5 (a manifest),
 * "SVRB" + 3, 4 or 5 (a row block); anything else is rejected. A writer that restarts sends every
 * block again (into the slots its last complete manifest does not use) with its first version.
 *
 * Row block payload (rows [i*R, i*R + n) of the model; its integrity is the chunk's CRC32C):
 *
 *   offset  size  field
 *   0       4     magic "SVRB" (0x53 0x56 0x52 0x42)
 *   4       4     format version, int32 = 5
 *   8       8     snapshot version that published this block, int64
 *   16      4     block index i, int32
 *   20      4     slot, int32 (0 or 1: the key's slot)
 *   24      4     first row i*R, int32
 *   28      4     row count n, int32 (R, or fewer in the last block)
 *   32      4     d, int32
 *   36      4     H, int32
 *   40      4     encoding, int32: 0 = float32, 1 = float16, 2 = bfloat16, 3 = int8
 *   44      ...   n x string words; n x d E rows; n x H W rows, in that encoding
 *
 * Encodings (`snapshot.encoding`): float32: 4 bytes per value; float16: IEEE 754 binary16,
 * big-endian, 2 bytes per value; bfloat16: the upper 16 bits of the float32, 2 bytes; int8: per
 * row a float32 scale s, then one signed byte q per value, value = q * s. Writers round to nearest,
 * ties to even (float16, bfloat16) or `round(x / s)` with s = max|x| / 127 (int8). The encoding is
 * stated per block rather than in the manifest because a version's unchanged blocks were written
 * earlier, possibly under another setting; the manifest's counts and bias stay float32. Exports and
 * every reader give float32 back (the decoded values; the instance that trains a model serves those
 * same values, so every instance answers alike).
 *
 * Manifest payload:
 *
 *   0       4     magic "SVSN"
 *   4       4     format version, int32 = 5
 *   8       4     total length T in bytes, int32
 *   12      ...   body, in this order:
 *     int32   C, C x (string key, string value)   config, as in version 1
 *     int64       snapshot version
 *     int64       tokens the model has learned from
 *     int32   S, S x (string name, float64 value)   statistics, as in version 1
 *     int32   V   vocabulary size
 *     int32   R   rows per block
 *     int32   B   number of row blocks = ceil(V / R)
 *     B x (int64 version, int32 CRC32C, int32 slot)   for each block: the snapshot version that
 *                 published its current content, the CRC32C of that payload (all its chunks'
 *                 payloads) and the slot it is in
 *     V x float32 decayed word counts
 *     V x float32 output bias b
 *     int32   M, M x (string name, matrix)   encoder parameters, as in version 1
 *     int32   L, L bytes   the served next-word mixture, as in version 2
 *   T-4     4     CRC32C of bytes [0, T-4)
 * To materialise version N: take manifest N; for each block i use the row block of the slot,
 * version and CRC32C manifest N names (a reader keeps the blocks it has, per block and slot; only
 * changed ones arrive); when all B are at hand, the model is words, E, W from the blocks and the
 * rest from the manifest. A manifest whose blocks have not all arrived (another partition, or a
 * read that started in the middle) waits for them; a newer complete manifest replaces it. Blocks
 * of a version whose manifest has not arrived never enter a model. No payload holds the whole
 * model, so models above 2 GiB publish like small ones.
 *
 * ### Format versions 3 and 4 (written by earlier builds; still read)
 *
 * Keys `<modelId>/r/<block>/<chunk>` and `<modelId>/m/<chunk>`, one version per transaction, no
 * slots. Row block "SVRB" + 3: the format 5 header without the slot and encoding fields (block
 * index at 16, first row at 20, row count at 24, d at 28, H at 32), words and float32 rows from
 * 36. "SVRB" + 4: the same, then at 36 the int32 encoding (1, 2 or 3 as above) and the words and
 * rows in it from 40. Manifest "SVSN" + 3: as format 5 but B x (int64 version, int32 CRC32C), no
 * slot. A topic written by an earlier build and then by this one holds both; readers take the
 * newest complete version of either (an upgraded writer's first version sends every block).
 *
 * ### Format versions 1 and 2: one encoded snapshot (T bytes)
 *
 *   offset  size  field
 *   0       4     magic "SVSN" (0x53 0x56 0x53 0x4E)
 *   4       4     format version, int32 = 1 or 2 (readers reject versions above the one they know)
 *   8       4     total length T in bytes, int32 (includes this header and the checksum)
 *   12      ...   body, in this order:
 *     int32   C   number of config entries
 *     C x (string key, string value)   model hyper-parameters (keys as ./streamvec train flags,
 *                 e.g. dim, context, encoder=lbl|bengio|cbow, hidden; lr as the number it
 *                 resolved to, never auto: older snapshots may hold lr=auto)
 *     int64       snapshot version
 *     int64       tokens the model has learned from
 *     int32   S   number of statistics
 *     S x (string name, float64 value)   training statistics at snapshot time
 *     int32   V   vocabulary size; word id = index, id 0 = "<unk>", id 1 = "</s>"
 *     V x string  words
 *     V x float32 decayed word counts
 *     matrix      E, V x d embeddings (d = config dim); row i is the vector of word i
 *     matrix      W, V x H output weights (H = config hidden for encoder=bengio, else d)
 *     matrix      b, V x 1 output bias
 *     int32   M   number of context-encoder parameters
 *     M x (string name, matrix)   encoder parameters: lbl and cbow: "position" (P x d);
 *                 bengio: "hidden.weights" (H x P*d), "hidden.bias" (H x 1);
 *                 P = context for lbl/bengio, 2*context for cbow
 *     int32   L   version 2 only: length of the served next-word mixture (0: none)
 *     L bytes     the mixture (model + bounded Kneser-Ney n-grams), NextWordMixture.write
 *   T-4     4     CRC32C of bytes [0, T-4)
 *
 * Next-word scores for a context of ids ctx[0] (most recent word), ctx[1], ..., ctx[P-1]
 * (padded with id 1): lbl/cbow h = sum_i position[i] (.) E[ctx[i]] (elementwise);
 * bengio h = tanh(hidden.weights x + hidden.bias), x = E[ctx[0]] ++ ... ++ E[ctx[P-1]];
 * then p = softmax(W h + b). For cbow, ctx[0..context) is the left context (nearest first)
 * and ctx[context..2*context) the right context.
 *
 * The word vectors (word2vec export, similarity queries) are derived from E and W by the config
 * entry export-vectors: input = E, output = W, sum = E + W, concat = E ++ W; absent or auto =
 * sum when H = d, else E (snapshots written before the key existed read as auto). A reader that
 * does not know a config key rejects the snapshot's config, so an older reader cannot silently
 * misread a newer snapshot's choice.
 * </pre>
 */
package io.streamvec.model.io;
