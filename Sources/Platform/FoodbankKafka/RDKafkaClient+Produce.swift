import CRdKafka
import Foundation

extension RDKafkaClient {
    /// Enqueues one record (librdkafka copies key, value and headers). When the local queue is
    /// full it serves delivery reports and tries again, up to `queueFullWait`.
    func produce(_ record: KafkaRecord, queueFullWait: Duration = .seconds(30)) throws {
        let deadline = ContinuousClock.now + queueFullWait
        while true {
            let err = produceOnce(record)
            if err == RD_KAFKA_RESP_ERR_NO_ERROR { return }
            if err == RD_KAFKA_RESP_ERR__QUEUE_FULL, ContinuousClock.now < deadline {
                rd_kafka_poll(handle, 50)
                continue
            }
            throw KafkaError(code: err, context: "producing to \(record.topic)")
        }
    }

    private static func memoryField(_ type: rd_kafka_vtype_t, _ bytes: UnsafeRawBufferPointer) -> rd_kafka_vu_t {
        var vu = rd_kafka_vu_t()
        vu.vtype = type
        vu.u.mem.ptr = UnsafeMutableRawPointer(mutating: bytes.baseAddress)
        vu.u.mem.size = bytes.count
        return vu
    }

    private func produceOnce(_ record: KafkaRecord) -> rd_kafka_resp_err_t {
        record.topic.withCString { topic in
            withOptionalBytes(record.key) { key in
                withOptionalBytes(record.value) { value in
                    withCHeaders(record.headers) { cHeaders in
                        var fields: [rd_kafka_vu_t] = []
                        var vu = rd_kafka_vu_t()
                        vu.vtype = RD_KAFKA_VTYPE_TOPIC
                        vu.u.cstr = topic
                        fields.append(vu)
                        vu = rd_kafka_vu_t()
                        vu.vtype = RD_KAFKA_VTYPE_MSGFLAGS
                        vu.u.i = RD_KAFKA_MSG_F_COPY
                        fields.append(vu)
                        vu = rd_kafka_vu_t()
                        vu.vtype = RD_KAFKA_VTYPE_PARTITION
                        vu.u.i32 = record.partition ?? Int32(RD_KAFKA_PARTITION_UA)
                        fields.append(vu)
                        if let key { fields.append(Self.memoryField(RD_KAFKA_VTYPE_KEY, key)) }
                        if let value { fields.append(Self.memoryField(RD_KAFKA_VTYPE_VALUE, value)) }
                        for header in cHeaders {
                            vu = rd_kafka_vu_t()
                            vu.vtype = RD_KAFKA_VTYPE_HEADER
                            vu.u.header.name = UnsafePointer(header.name)
                            vu.u.header.val = UnsafeRawPointer(header.value)
                            vu.u.header.size = header.size
                            fields.append(vu)
                        }
                        return fields.withUnsafeBufferPointer { buffer in
                            guard let error = rd_kafka_produceva(handle, buffer.baseAddress, buffer.count) else {
                                return RD_KAFKA_RESP_ERR_NO_ERROR
                            }
                            defer { rd_kafka_error_destroy(error) }
                            return rd_kafka_error_code(error)
                        }
                    }
                }
            }
        }
    }
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}

/// Header names and values copied into C memory that stays valid for the duration of `body`
/// (librdkafka copies them again with RD_KAFKA_MSG_F_COPY).
private func withCHeaders<R>(_ headers: [KafkaHeader],
                             _ body: ([(name: UnsafeMutablePointer<CChar>, value: UnsafeMutableRawPointer?, size: Int)]) -> R) -> R {
    let copies = headers.map { header -> (name: UnsafeMutablePointer<CChar>, value: UnsafeMutableRawPointer?, size: Int) in
        guard let bytes = header.value else { return (strdup(header.name)!, nil, -1) }
        let buffer = malloc(max(bytes.count, 1))!
        if !bytes.isEmpty { bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) } }
        return (strdup(header.name)!, buffer, bytes.count)
    }
    defer { copies.forEach { free($0.name); free($0.value) } }
    return body(copies)
}
