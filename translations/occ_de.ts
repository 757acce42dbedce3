<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>OccPage</name>
    <message>
        <source>Connector (LAN)</source>
        <translation>Connector (LAN)</translation>
    </message>
    <message>
        <source>Connector over VPN</source>
        <translation>Connector über VPN</translation>
    </message>
    <message>
        <source>Direct to cloud</source>
        <translation>Direkt zur Cloud</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>%1 s ago</source>
        <translation>vor %1 s</translation>
    </message>
    <message>
        <source>%1 min ago</source>
        <translation>vor %1 min</translation>
    </message>
    <message>
        <source>OCC — Online Control Center</source>
        <translation>OCC — Online Control Center</translation>
    </message>
    <message>
        <source>Hubs</source>
        <translation>Hubs</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Aktualisiert</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Rechner</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Verbindungsweg</translation>
    </message>
    <message>
        <source>Connector</source>
        <translation>Connector</translation>
    </message>
    <message>
        <source>Last contact</source>
        <translation>Letzter Kontakt</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>Warteschlange</translation>
    </message>
    <message>
        <source>Dropped</source>
        <translation>Verworfen</translation>
    </message>
    <message>
        <source>Sensors</source>
        <translation>Sensoren</translation>
    </message>
    <message>
        <source>No hubs enrolled yet.</source>
        <translation>Noch keine Hubs registriert.</translation>
    </message>
    <message>
        <source>No customers yet: occ-cloud customer add NAME</source>
        <translation>Noch keine Kunden: occ-cloud customer add NAME</translation>
    </message>
</context>
</TS>