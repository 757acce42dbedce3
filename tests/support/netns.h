#pragma once

#include <QString>
#include <QStringList>

namespace occ::test {

// A network namespace made by a test (root, iproute2). Its loopback is up and
// multicast-capable with a route for 224.0.0.0/4, so that SSDP on the real group
// 239.255.255.250:1900 stays inside it (TOOLCHAIN.md). Removed, with every process
// inside, when the object goes - also when the test failed.
class NetNamespace
{
public:
    // loopbackMulticast: SSDP on this namespace's own loopback (a test alone in it);
    // off for the hosts of an end-to-end lab, which use their LAN interfaces.
    explicit NetNamespace(const QString &label, bool loopbackMulticast = true);
    ~NetNamespace();
    NetNamespace(const NetNamespace &) = delete;
    NetNamespace &operator=(const NetNamespace &) = delete;

    bool ok() const { return m_ok; }
    QString name() const { return m_name; }
    QString error() const { return m_error; }
    // The command line that runs a program inside: ip netns exec NAME PROGRAM ARGS.
    QStringList wrap(const QString &program, const QStringList &arguments) const;
    // Runs a command inside and waits; returns its exit code.
    int run(const QString &program, const QStringList &arguments, QByteArray *output = nullptr,
            int timeoutMs = 60000) const;

private:
    QString m_name;
    QString m_error;
    bool m_ok = false;
};

// Tests whose programs use SSDP (or need a network of their own) call this first
// in main(): unless the process already runs inside such a namespace, it makes one
// (loopback multicast as above), re-runs itself inside and returns that run's exit
// code after removing the namespace and everything in it. Returns -1 inside.
int reexecInNetNamespace(int argc, char **argv, const QString &label);

// A veth pair from the caller's namespace to ns: hereAddress/24 on this side,
// thereAddress/24 on the other, both up. The pair goes with the namespace.
bool linkNamespace(const NetNamespace &ns, const QString &hereName, const QString &hereAddress,
                   const QString &thereName, const QString &thereAddress, QString *error);

} // namespace occ::test
