#!/usr/bin/env python3
"""Fills translations/occ_de.ts from the German glossary below, and the plural forms
of translations/occ_en.ts (run after lupdate).
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
    # Sensorhub tray (occ-sensorhub-tray)
    "Not enrolled": "Nicht registriert",
    "Searching for the connector": "Suche den Connector",
    "Connected to the connector (LAN)": "Mit dem Connector verbunden (LAN)",
    "Connected to the connector over VPN": "Mit dem Connector über VPN verbunden",
    "Connected directly to the cloud": "Direkt mit der Cloud verbunden",
    "Offline: results are kept": "Offline: Ergebnisse bleiben gespeichert",
    "Connector %1 at %2 (%3)": "Connector %1 unter %2 (%3)",
    "%n result(s) waiting": ("%n Ergebnis wartet", "%n Ergebnisse warten"),
    "%n result(s) dropped: the outbox was full": ("%n Ergebnis verworfen: der Ausgang war voll",
                                                  "%n Ergebnisse verworfen: der Ausgang war voll"),
    "Nothing delivered yet": "Noch nichts zugestellt",
    "Last delivery %1": "Zuletzt zugestellt %1",
    "Reconnect now": "Jetzt neu verbinden",
    "Copy status": "Status kopieren",
    "Quit OCC Sensorhub": "OCC Sensorhub beenden",
    "OCC Sensorhub is offline": "OCC Sensorhub ist offline",
    "Neither the connector nor the cloud answers. Results are kept and delivered later.":
        "Weder Connector noch Cloud antworten. Die Ergebnisse bleiben gespeichert und werden später zugestellt.",
}

# English needs only its plural forms (singular, plural).
ENGLISH_PLURALS = {
    "%n result(s) waiting": ("%n result waiting", "%n results waiting"),
    "%n result(s) dropped: the outbox was full": ("%n result dropped: the outbox was full",
                                                  "%n results dropped: the outbox was full"),
}


def fill(translation, text):
    """Sets a plain translation, or the numerus forms of a plural one."""
    if isinstance(text, tuple):
        forms = translation.findall("numerusform")
        for form, value in zip(forms, text):
            form.text = value
    else:
        translation.text = text
    translation.attrib.pop("type", None)


def write(tree, path):
    tree.write(path, encoding="utf-8", xml_declaration=True)
    with open(path, "r+", encoding="utf-8") as f:  # keep Linguist's DOCTYPE line
        text = f.read().replace("<?xml version='1.0' encoding='utf-8'?>\n", '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n', 1)
        f.seek(0)
        f.write(text)
        f.truncate()


english = "translations/occ_en.ts"
tree = ET.parse(english)
for message in tree.iter("message"):
    if message.get("numerus") == "yes" and message.findtext("source") in ENGLISH_PLURALS:
        fill(message.find("translation"), ENGLISH_PLURALS[message.findtext("source")])
write(tree, english)

path = sys.argv[1] if len(sys.argv) > 1 else "translations/occ_de.ts"
tree = ET.parse(path)
missing = []
for message in tree.iter("message"):
    source = message.findtext("source")
    translation = message.find("translation")
    if source in GERMAN:
        fill(translation, GERMAN[source])
    else:
        missing.append(source)
write(tree, path)
if missing:
    print("no German for:", *missing, sep="\n  ", file=sys.stderr)
    sys.exit(1)
