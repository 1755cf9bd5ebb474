import MailAuditCore
import MailAuditFormats
import Yams

/// Reads `Rules/ports.yml` into the `PortTable`.
public enum PortTableLoader {
    public static func load(_ file: SourceFile) throws(ParseProblem) -> PortTable {
        let budget = YAMLBudget(path: file.path)
        func fail(_ m: String, _ n: Node) -> ParseProblem { ParseProblem("port table: \(m)", path: file.path, span: n.span(in: file.path)) }
        guard let root = try SafeYAML.document(file) else { throw ParseProblem("port table: empty file", path: file.path) }
        var entries: [PortTable.Entry] = []
        var defaults: [PortTable.Default] = []
        for (key, value) in try root.pairs(budget: budget) {
            switch key.text {
            case "ports":
                for item in try value.items(budget: budget) {
                    let f = Dictionary(try item.pairs(budget: budget).map { ($0.key.text ?? "", $0.value) }, uniquingKeysWith: { a, _ in a })
                    guard let port = f["port"]?.intValue, let service = f["service"]?.text,
                          let p = f["protocol"]?.text.flatMap(MailProtocol.init(rawValue:)),
                          let tls = f["tls"]?.text.flatMap(TLSMode.init(rawValue:)),
                          let status = f["status"]?.text else {
                        throw fail("each port needs port, service, protocol, tls and status", item)
                    }
                    let also = try f["also"].map { n throws(ParseProblem) in try n.items(budget: budget).compactMap { $0.text.flatMap(MailProtocol.init(rawValue:)) } } ?? []
                    entries.append(.init(port: port, service: service, protocol: p, also: also, tls: tls, status: status, description: f["description"]?.text ?? ""))
                }
            case "defaults":
                for item in try value.items(budget: budget) {
                    let f = Dictionary(try item.pairs(budget: budget).map { ($0.key.text ?? "", $0.value) }, uniquingKeysWith: { a, _ in a })
                    guard let p = f["protocol"]?.text.flatMap(MailProtocol.init(rawValue:)), let port = f["port"]?.intValue else {
                        throw fail("each default needs protocol and port", item)
                    }
                    let tlsText = f["tls"]?.text ?? "any"
                    defaults.append(.init(protocol: p, direction: f["direction"]?.text.flatMap(Direction.init(rawValue:)),
                                          tls: tlsText == "any" ? nil : TLSMode(rawValue: tlsText), port: port))
                }
            default:
                throw fail("unknown key '\(key.text ?? "")' (ports, defaults)", key)
            }
        }
        return PortTable(entries: entries, defaults: defaults)
    }
}
