# The two commands of a fresh machine: `make run` and `make test`.
SHARED ?= ../shared
HOST ?= 0.0.0.0
PORT ?= 8888
# the login role's admin endpoint (the fleet page, fleet, metrics, health), on loopback
ADMIN_PORT ?= 8889
MVN ?= mvn -B -q -ntp
JAR := target/chat.jar
# class-data sharing archives of the jar (launcher/cds-archive): optional, they only speed up starts
CDS := target/chat.jsa

.PHONY: all jar run run-ha test unit conformance testcases bench bench-smoke simulate clean

all: jar

jar: $(JAR) $(CDS)

$(JAR): pom.xml $(shell find src/main launcher/user-data.sh -type f 2>/dev/null)
	$(MVN) -Dmaven.test.skip=true package

$(CDS): $(JAR) launcher/cds-archive
	launcher/cds-archive $(JAR)

run: jar
	launcher/server $(HOST) $(PORT) --admin-port $(ADMIN_PORT)

# The highly available set on this machine, on loopback (launcher/run-ha; needs Debian's
# postgresql-15-auto-failover and pg-auto-failover-cli): Ctrl-C stops all of it.
run-ha: jar
	launcher/run-ha data-ha

# Unit and integration tests (Maven), the project's own cases, then the reference suites.
test: jar
	mvn -B -ntp test
	$(MAKE) testcases
	$(MAKE) conformance

testcases: jar
	python3 testcases/run

conformance: jar
	@if [ -x $(SHARED)/conformance/run ]; then \
	  $(SHARED)/conformance/run --server 'launcher/server 127.0.0.1 $$PORT --set broker.amqpPort=0 --set broker.stompPort=0 --set store.port=0' \
	    --client 'launcher/client 127.0.0.1 $$PORT'; \
	else echo "conformance: $(SHARED)/conformance/run not found, skipped"; fi

bench: jar
	java -cp $(JAR) chat.bench.Bench $(BENCH_ARGS)

# A simulated day of the fleet (chat.fleet.FleetSimulation): 100,000 users, a fixed seed, in seconds.
simulate: $(JAR)
	java -cp $(JAR) chat.fleet.FleetSimulation $(SIMULATE_ARGS)

# The throughput guard CI runs after the tests: this service against a bare baseline measured in
# the same run (bench/smoke; the documented ratio is in bench/smoke.expected).
bench-smoke: jar
	bench/smoke

clean:
	$(MVN) clean
