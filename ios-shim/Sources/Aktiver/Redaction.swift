// uniffi's records print every field by default. `debugDescription` comes
// from the core's redacting Debug (exported through uniffi); these keep
// names, numbers and dates out of `print`, string interpolation and `dump`
// as well. Fully qualified names mark the conformances as deliberately
// retroactive without needing Swift 6's `@retroactive`.

extension AktiverFFI.MrzDocument: Swift.CustomStringConvertible, Swift.CustomReflectable {
    public var description: String {
        "MrzDocument(format: \(format), kind: \(kind), valid: \(valid), <personal data redacted>)"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["format": format, "kind": kind, "valid": valid, "checks": checks,
                                "repairs": repairs.count, "ambiguous": ambiguous])
    }
}

extension AktiverFFI.NinInfo: Swift.CustomStringConvertible, Swift.CustomReflectable {
    public var description: String { "NinInfo(kind: \(kind), masked: \(masked))" }
    public var customMirror: Mirror { Mirror(self, children: ["kind": kind, "masked": masked]) }
}
