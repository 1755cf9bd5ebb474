extension Endpoint {
    /// Words that name every endpoint one finding affects, in the order given:
    /// - `accounts "office", "relay", "scanner"` when each has a name of its own;
    /// - `server "docker-mailserver" (relay SMTP listener on port 25, incoming IMAP listener on port 143)`
    ///   when they share one (or none: `server (…)`);
    /// - otherwise each subject so, joined by "; " (`client, outgoing SMTP to a.example:25; account "work", …`).
    /// Past `namedInMessages` endpoints the rest are counted (`… and 40 more`); the JSON lists them all.
    public static func descriptionForMessages(_ endpoints: [Endpoint]) -> String {
        guard endpoints.count > namedInMessages else { return describing(endpoints) }
        return describing(Array(endpoints.prefix(namedInMessages))) + " and \(endpoints.count - namedInMessages) more"
    }

    /// How many endpoints a message names before it counts the rest: a sentence stays readable.
    public static let namedInMessages = 10

    static func describing(_ endpoints: [Endpoint]) -> String {
        guard endpoints.count > 1 else { return endpoints.first?.descriptionForMessages ?? "setup" }
        let names = endpoints.compactMap(\.account)
        if names.count == endpoints.count, Set(names).count == names.count, Set(endpoints.map(\.role)).count == 1 {
            let noun = endpoints[0].role == .client ? "accounts" : "servers"
            return noun + " " + names.map { "\"\($0)\"" }.joined(separator: ", ")
        }
        var subjects: [String] = []
        var connections: [String: [String]] = [:]
        for endpoint in endpoints {
            let subject = endpoint.subjectForMessages
            if connections[subject] == nil { subjects.append(subject) }
            connections[subject, default: []].append(endpoint.connectionForMessages)
        }
        return subjects.map { subject in
            let those = connections[subject]!
            return those.count == 1 ? "\(subject), \(those[0])" : "\(subject) (\(those.joined(separator: ", ")))"
        }.joined(separator: "; ")
    }
}
