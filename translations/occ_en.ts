<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>OccPage</name>
    <message>
        <source>Connector (LAN)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Connector over VPN</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Direct to cloud</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Offline</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>%1 s ago</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>%1 min ago</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>OCC — Online Control Center</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Hubs</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Updated</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Host</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Path</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Connector</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Last contact</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Queue</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Dropped</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Sensors</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>No hubs enrolled yet.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>No customers yet: occ-cloud customer add NAME</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>StatePresenter</name>
    <message>
        <source>Not enrolled</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Searching for the connector</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Connected to the connector (LAN)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Connected to the connector over VPN</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Connected directly to the cloud</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Offline: results are kept</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Connector %1 at %2 (%3)</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <source>%n result(s) waiting</source>
        <translation>
            <numerusform>%n result waiting</numerusform>
            <numerusform>%n results waiting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n result(s) dropped: the outbox was full</source>
        <translation>
            <numerusform>%n result dropped: the outbox was full</numerusform>
            <numerusform>%n results dropped: the outbox was full</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing delivered yet</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Last delivery %1</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>occ::hub::TrayIcon</name>
    <message>
        <source>Reconnect now</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Copy status</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Quit OCC Sensorhub</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>OCC Sensorhub is offline</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Neither the connector nor the cloud answers. Results are kept and delivered later.</source>
        <translation type="unfinished" />
    </message>
</context>
</TS>