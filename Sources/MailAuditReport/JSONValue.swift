/// A JSON document built in memory and written with sorted keys and two-space indentation: the one
/// JSON writer of every output (JSON, JSON Lines, SARIF, baselines, `model`, `rules`). Its layout
/// and escaping are those of Foundation's pretty-printing JSONEncoder, which it replaced: that took
/// a sixth of the run's CPU time for the JSON report, this writer a fraction of it (README, Benchmark).
enum JSONValue {
    case object([String: JSONValue])
    case array([JSONValue])
    /// An array whose elements are built one at a time while writing, never all held at once
    /// (the findings of a report: hundreds of thousands of objects as a tree cost gigabytes).
    case elements(count: Int, element: (Int) -> JSONValue)
    /// An array whose elements were written while the run went on, each already at its place in the
    /// document (indented for this array) and masked, one spool after the other: copied out when the
    /// document is written, never held whole (`stream`).
    case spooled([Spool])
    case string(String)
    case int(Int)
    case bool(Bool)
    case null

    static func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
    static func optional(_ i: Int?) -> JSONValue { i.map(JSONValue.int) ?? .null }
    static func optional(_ b: Bool?) -> JSONValue { b.map(JSONValue.bool) ?? .null }

    func rendered() -> String {
        var out = ""
        out.reserveCapacity(4096)
        write(into: &out, indent: 0)
        out.append("\n")
        return out
    }

    /// One line without blanks (JSON Lines), keys sorted, `type` first when given: `{"type":"finding",…}`.
    func line(type: String? = nil) -> String {
        var out = ""
        out.reserveCapacity(512)
        guard case .object(let fields) = self else { writeCompact(into: &out); return out + "\n" }
        out.append("{")
        var first = true
        if let type {
            out.append("\"type\":")
            JSONValue.writeString(type, into: &out)
            first = false
        }
        for key in fields.keys.sorted() where !(type != nil && key == "type") {
            if !first { out.append(",") }
            first = false
            JSONValue.writeString(key, into: &out)
            out.append(":")
            fields[key]!.writeCompact(into: &out)
        }
        out.append("}\n")
        return out
    }

    func writeCompact(into out: inout String) {
        switch self {
        case .object(let fields):
            out.append("{")
            for (n, key) in fields.keys.sorted().enumerated() {
                if n > 0 { out.append(",") }
                JSONValue.writeString(key, into: &out)
                out.append(":")
                fields[key]!.writeCompact(into: &out)
            }
            out.append("}")
        case .array(let items):
            JSONValue.writeCompactArray(count: items.count, { items[$0] }, into: &out)
        case .elements(let count, let element):
            JSONValue.writeCompactArray(count: count, element, into: &out)
        default:
            write(into: &out, indent: 0)
        }
    }

    static func writeCompactArray(count: Int, _ element: (Int) -> JSONValue, into out: inout String) {
        out.append("[")
        for n in 0..<count {
            if n > 0 { out.append(",") }
            element(n).writeCompact(into: &out)
        }
        out.append("]")
    }

    /// Writes the document and a line break through `write`: its own text as `framed` returns it (a
    /// last masking), each spooled array copied from its spools as it is, without holding it.
    func stream(framed: (String) -> String, write: (String) -> Void) {
        withoutActuallyEscaping(framed) { framed in
            withoutActuallyEscaping(write) { write in
                let sink = Sink(framed: { write(framed($0)) }, copied: write)
                var out = ""
                self.write(into: &out, indent: 0, sink: sink)
                out.append("\n")
                sink.framed(out)
            }
        }
    }

    /// Where a streamed document goes: the text written so far is flushed before a spool is copied.
    struct Sink {
        let framed: (String) -> Void
        let copied: (String) -> Void
    }

    func write(into out: inout String, indent: Int, sink: Sink? = nil) {
        switch self {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): out.append(String(i))
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .array(let items): JSONValue.writeArray(count: items.count, { items[$0] }, into: &out, indent: indent, sink: sink)
        case .elements(let count, let element): JSONValue.writeArray(count: count, element, into: &out, indent: indent, sink: sink)
        case .spooled(let spools): JSONValue.writeSpooled(spools.filter { $0.count > 0 }, into: &out, indent: indent, sink: sink)
        case .object(let fields):
            if fields.isEmpty { out.append("{\n\n" + String(repeating: " ", count: indent) + "}"); return }
            out.append("{\n")
            let pad = String(repeating: " ", count: indent + 2)
            let keys = fields.keys.sorted()
            for (n, key) in keys.enumerated() {
                out.append(pad)
                JSONValue.writeString(key, into: &out)
                out.append(" : ")
                fields[key]!.write(into: &out, indent: indent + 2, sink: sink)
                out.append(n + 1 < keys.count ? ",\n" : "\n")
            }
            out.append(String(repeating: " ", count: indent) + "}")
        }
    }

    static func writeArray(count: Int, _ element: (Int) -> JSONValue, into out: inout String, indent: Int, sink: Sink? = nil) {
        if count == 0 { out.append("[\n\n" + String(repeating: " ", count: indent) + "]"); return }
        out.append("[\n")
        let pad = String(repeating: " ", count: indent + 2)
        for n in 0..<count {
            out.append(pad)
            element(n).write(into: &out, indent: indent + 2, sink: sink)
            out.append(n + 1 < count ? ",\n" : "\n")
        }
        out.append(String(repeating: " ", count: indent) + "]")
    }

    /// The spools' elements (written with their indentation), joined as `writeArray` joins elements.
    static func writeSpooled(_ spools: [Spool], into out: inout String, indent: Int, sink: Sink?) {
        if spools.isEmpty { out.append("[\n\n" + String(repeating: " ", count: indent) + "]"); return }
        out.append("[\n")
        for (n, spool) in spools.enumerated() {
            if n > 0 { out.append(",\n") }
            if let sink {
                sink.framed(out)
                out = ""
                spool.copy(to: sink.copied)
            } else {
                spool.copy { out.append($0) }
            }
        }
        out.append("\n" + String(repeating: " ", count: indent) + "]")
    }

    static func writeString(_ s: String, into out: inout String) {
        out.append("\"")
        var plain = true
        for u in s.utf8 where u < 0x20 || u == 0x22 || u == 0x5C { plain = false; break }
        if plain { out.append(s); out.append("\""); return }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "\u{8}": out.append("\\b")
            case "\u{C}": out.append("\\f")
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append("\"")
    }
}
