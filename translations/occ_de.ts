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
<context>
    <name>StatePresenter</name>
    <message>
        <source>Not enrolled</source>
        <translation>Nicht registriert</translation>
    </message>
    <message>
        <source>Searching for the connector</source>
        <translation>Suche den Connector</translation>
    </message>
    <message>
        <source>Connected to the connector (LAN)</source>
        <translation>Mit dem Connector verbunden (LAN)</translation>
    </message>
    <message>
        <source>Connected to the connector over VPN</source>
        <translation>Mit dem Connector über VPN verbunden</translation>
    </message>
    <message>
        <source>Connected directly to the cloud</source>
        <translation>Direkt mit der Cloud verbunden</translation>
    </message>
    <message>
        <source>Offline: results are kept</source>
        <translation>Offline: Ergebnisse bleiben gespeichert</translation>
    </message>
    <message>
        <source>Connector %1 at %2 (%3)</source>
        <translation>Connector %1 unter %2 (%3)</translation>
    </message>
    <message numerus="yes">
        <source>%n result(s) waiting</source>
        <translation>
            <numerusform>%n Ergebnis wartet</numerusform>
            <numerusform>%n Ergebnisse warten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n result(s) dropped: the outbox was full</source>
        <translation>
            <numerusform>%n Ergebnis verworfen: der Ausgang war voll</numerusform>
            <numerusform>%n Ergebnisse verworfen: der Ausgang war voll</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing delivered yet</source>
        <translation>Noch nichts zugestellt</translation>
    </message>
    <message>
        <source>Last delivery %1</source>
        <translation>Zuletzt zugestellt %1</translation>
    </message>
</context>
<context>
    <name>occ::hub::TrayIcon</name>
    <message>
        <source>Reconnect now</source>
        <translation>Jetzt neu verbinden</translation>
    </message>
    <message>
        <source>Copy status</source>
        <translation>Status kopieren</translation>
    </message>
    <message>
        <source>Quit OCC Sensorhub</source>
        <translation>OCC Sensorhub beenden</translation>
    </message>
    <message>
        <source>OCC Sensorhub is offline</source>
        <translation>OCC Sensorhub ist offline</translation>
    </message>
    <message>
        <source>Neither the connector nor the cloud answers. Results are kept and delivered later.</source>
        <translation>Weder Connector noch Cloud antworten. Die Ergebnisse bleiben gespeichert und werden später zugestellt.</translation>
    </message>
</context>
</TS>