#!/usr/bin/env python3
"""Fills translations/occ_de.ts from the German glossary below (run after lupdate).
Usage: translations/translate_de.py  (exits non-zero if a source text has no German)."""
import sys
import xml.etree.ElementTree as ET

GERMAN = {
    # OCC page (occ-cloud)
    "Connector (LAN)": "Connector (LAN)",
    "Connector over VPN": "Connector über VPN",
    "Direct to cloud": "Direkt zur Cloud",
    "Offline": "Offline",
    "never": "nie",
    "%1 s ago": "vor %1 s",
    "%1 min ago": "vor %1 min",
    "OCC — Online Control Center": "OCC — Online Control Center",
    "Hubs": "Hubs",
    "Updated": "Aktualisiert",
    "Host": "Rechner",
    "Path": "Verbindungsweg",
    "Connector": "Connector",
    "Last contact": "Letzter Kontakt",
    "Queue": "Warteschlange",
    "Dropped": "Verworfen",
    "Sensors": "Sensoren",
    "No hubs enrolled yet.": "Noch keine Hubs registriert.",
    "No customers yet: occ-cloud customer add NAME": "Noch keine Kunden: occ-cloud customer add NAME",
}

path = sys.argv[1] if len(sys.argv) > 1 else "translations/occ_de.ts"
tree = ET.parse(path)
missing = []
for message in tree.iter("message"):
    source = message.findtext("source")
    translation = message.find("translation")
    if source in GERMAN:
        translation.text = GERMAN[source]
        translation.attrib.pop("type", None)
    else:
        missing.append(source)
tree.write(path, encoding="utf-8", xml_declaration=True)
with open(path, "r+", encoding="utf-8") as f:  # keep Linguist's DOCTYPE line
    text = f.read().replace("<?xml version='1.0' encoding='utf-8'?>\n", '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n', 1)
    f.seek(0)
    f.write(text)
    f.truncate()
if missing:
    print("no German for:", *missing, sep="\n  ", file=sys.stderr)
    sys.exit(1)
