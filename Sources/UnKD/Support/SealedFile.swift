import Crypto
import Foundation

/// The on-disk layout of trained models and training checkpoints: a magic word, a JSON header, Float32 blocks, and a
/// SHA-256 seal.
///
/// `magic` + header length (UInt32, little-endian) + JSON header + the floats of every block, little-endian, back to
/// back + SHA-256 of all that precedes it. The seal catches truncation and bit rot; the header says what the floats
/// are, so a reader checks it before trusting them.
enum SealedFile {
    /// The bytes of a file holding `header` and the floats of `blocks`, in order.
    static func encode<Header: Encodable>(magic: String, header: Header, blocks: [[Float]]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        var data = Data(magic.utf8)
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for block in blocks { block.map { $0.bitPattern.littleEndian }.withUnsafeBytes { data.append(contentsOf: $0) } }
        data.append(contentsOf: SHA256.hash(data: data))
        return data
    }

    /// The header and all floats of a sealed file, after checking the magic word and the seal.
    ///
    /// - Throws: `UnKDError.damagedArtefact` naming `url` when the file is not one, is truncated or altered, or its
    ///   header does not decode.
    static func decode<Header: Decodable>(_ data: Data, magic: String, url: URL, as: Header.Type) throws -> (Header, [Float]) {
        func damaged(_ reason: String) -> UnKDError { .damagedArtefact(file: url.path, reason: reason) }
        let magic = Array(magic.utf8)
        guard data.count > magic.count + 4 + 32, Array(data.prefix(magic.count)) == magic else { throw damaged("not a \(String(decoding: magic, as: UTF8.self)) file") }
        let body = data.prefix(data.count - 32)
        guard Array(SHA256.hash(data: body)) == Array(data.suffix(32)) else { throw damaged("checksum mismatch (truncated or altered)") }
        let lengthBytes = Array(data[magic.count..<(magic.count + 4)])
        let length = Int(UInt32(lengthBytes[0]) | UInt32(lengthBytes[1]) << 8 | UInt32(lengthBytes[2]) << 16 | UInt32(lengthBytes[3]) << 24)
        let headerStart = magic.count + 4
        guard headerStart + length <= body.count else { throw damaged("header runs past the end") }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data[headerStart..<(headerStart + length)])
        } catch {
            throw damaged("unreadable header (\(error))")
        }
        let payload = body.dropFirst(headerStart + length)
        guard payload.count % 4 == 0 else { throw damaged("the parameters are not whole floats") }
        var floats = [Float](repeating: 0, count: payload.count / 4)
        payload.withUnsafeBytes { raw in
            for k in floats.indices {
                floats[k] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self)))
            }
        }
        return (header, floats)
    }
}
