extension CharacteristicsMap {
    /// The map straight from a seed, as the registry shows it on the seed's as-of day.
    public init(seed: SeedDocument) {
        let sectors = Dictionary(uniqueKeysWithValues: seed.sectors.map { ($0.key, $0) })
        let umbrellas = Dictionary(uniqueKeysWithValues: seed.umbrellas.map { ($0.key, $0) })
        let columns = seed.ceptoars.sorted { $0.position < $1.position }.map { c in
            MapColumn(
                ceptoarKey: c.key, sectorKey: c.sector, sector: sectors[c.sector]!.name, scope: c.scope,
                name: c.name.localized, umbrellaKey: c.umbrella, umbrella: c.umbrella.map { umbrellas[$0]!.name },
                secretariat: c.secretariat, established: DatedCell(text: c.established.text, date: c.established.date),
                members: LocalizedText(ja: c.members.text, en: c.members.en), memberCount: c.members.count,
                poc: DatedCell(text: c.poc.text, date: c.poc.date), rules: DatedCell(text: c.rules.text, date: c.rules.date),
                contact: c.contact.text, information: c.contact.information, channels: c.contact.channels, features: c.features)
        }
        self.init(asOf: seed.source.asOf.date, title: seed.source.title_map, note: seed.source.note, columns: columns)
    }
}
