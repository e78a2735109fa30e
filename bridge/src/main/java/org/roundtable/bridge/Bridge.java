package org.roundtable.bridge;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.roundtable.bridge.dtls.DtlsCertificate;
import org.roundtable.bridge.dtls.DtlsSession;
import org.roundtable.bridge.ice.Stun;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.router.Conference;
import org.roundtable.bridge.router.Endpoint;
import org.roundtable.bridge.router.EndpointHost;
import org.roundtable.bridge.transport.MediaPath;
import org.roundtable.bridge.transport.TcpPath;
import org.roundtable.bridge.transport.UdpPath;
import org.roundtable.bridge.transport.UdpSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media server process's bridge: the media loops ({@link MediaLoop}, one per core by default), each
 * with its own UDP socket on the one media port ({@code SO_REUSEPORT}), passive ICE-TCP, the DTLS identity
 * and pool, and the endpoint lookup tables. Each conference, with all its endpoints, is placed on one loop
 * (the one with the fewest conferences): meetings spread over the cores, and one meeting's fan-out never
 * crosses threads. Ingress demultiplexes by the first byte (RFC 7983): STUN goes to the endpoint named by
 * the USERNAME ufrag; DTLS and SRTP go to the endpoint that owns the source address (learned from a valid
 * ICE check). The kernel picks the socket by the remote address, so a packet that lands on another loop
 * than its endpoint's is handed over once ({@link LoopHandoff}); replies leave from the endpoint's loop's
 * socket (the same port).
 * Threads: each loop runs its sockets, conferences and endpoints; DTLS handshakes run on a small pool; the
 * lookup tables are concurrent; the public API may be called from any thread and hops to the right loop.
 * As an {@link EndpointHost} the bridge is its first loop (for endpoints tests make by hand).
 */
public final class Bridge implements AutoCloseable, EndpointHost {
    private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);

    public final BridgeMetrics metrics;
    private volatile ForwardWarmUp.Result forwardWarmUp;
    private final BridgeConfig config;
    private final DtlsCertificate cert = DtlsCertificate.generate();
    private final ByteBufAllocator alloc = MediaBuffers.allocator();

    private final EventLoopGroup group;
    private final MediaLoop[] loops;
    private final ExecutorService dtlsPool;
    private Channel tcpServer;
    private final List<String> candidates = new ArrayList<>();
    private final Map<String, Endpoint> byUfrag = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, Endpoint> byAddress = new ConcurrentHashMap<>();
    private final Map<Channel, Endpoint> byTcp = new ConcurrentHashMap<>();
    private final Map<String, Conference> conferences = new ConcurrentHashMap<>();
    private final AtomicInteger tcpOpen = new AtomicInteger();
    private final AtomicInteger dtlsPending = new AtomicInteger();
    private final AtomicInteger endpointCount = new AtomicInteger();
    private final AtomicInteger nextLegLoop = new AtomicInteger();

    /**
     * The media loop is a {@link io.netty.util.concurrent.FastThreadLocalThread}: Netty's pooled allocator
     * keeps a thread cache only for those (since 4.1.76), and its object pools recycle there; on a plain
     * thread every buffer would go through the shared arena's lock.
     */
    private static java.util.concurrent.ThreadFactory mediaThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> new io.netty.util.concurrent.FastThreadLocalThread(r, "media-loop-" + n.getAndIncrement());
    }

    public Bridge(BridgeConfig config, BridgeMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        boolean epoll = Epoll.isAvailable();
        int n = epoll ? config.tuning().loops() : 1;    // one socket per loop needs SO_REUSEPORT (epoll)
        this.group = epoll ? new EpollEventLoopGroup(n, mediaThreads()) : new NioEventLoopGroup(1, mediaThreads());
        this.loops = new MediaLoop[n];
        int i = 0;
        for (io.netty.util.concurrent.EventExecutor ex : group) {
            loops[i] = new MediaLoop(this, i, (EventLoop) ex, i == 0 ? metrics.pipeline : metrics.newPipeline());
            i++;
        }
        metrics.mediaLoops.set(n);
        this.dtlsPool = Executors.newFixedThreadPool(Math.max(1, config.dtlsThreads()), new io.netty.util.concurrent.DefaultThreadFactory("dtls", true));
        LOG.info("media transport: {}, {} media loop(s)", epoll ? "epoll" : "nio (epoll unavailable: " + Epoll.unavailabilityCause() + ")", n);
        // AES-CM's HMAC-SHA1 on the JDK's SHA-1 (SHA instructions, no JNI, no array per packet: Sha1Hmac);
        // the JDK's HmacSHA1 made 1,112-byte packets protect 16% and unprotect 27% faster than jitsi-srtp's
        // OpenSSL HMAC (bench/jmh.sh SrtpBench -p profile=CM80)
        if (!org.roundtable.bridge.srtp.HmacProvider.useOwn()) LOG.info("SRTP AES-CM keeps jitsi-srtp's HMAC provider");
        // jitsi-srtp's AES from the provider named here, with no start-up benchmark (AesProviders); the packets
        // themselves go through OpenSslGcm and OpenSslCtr (SrtpSession) where jitsi-srtp's OpenSSL library is loaded
        if (!org.roundtable.bridge.srtp.AesProviders.preset(System.getProperty("roundtable.srtp.aes-provider", "SunJCE")))
            LOG.info("SRTP: jitsi-srtp benchmarks its AES providers at the first SRTP context");
        this.warmUp = new WarmUp(cert);     // overlaps the rest of the server's construction; start() waits for it
    }

    /** The start-up warm-up, started by the constructor; start() waits for it. */
    private final WarmUp warmUp;

    @Override public BridgeMetrics metrics() { return metrics; }
    public BridgeConfig config() { return config; }
    public DtlsCertificate certificate() { return cert; }
    public ByteBufAllocator alloc() { return alloc; }

    /** The first loop's scratch space (for endpoints a test hosts on the bridge itself). First loop only. */
    @Override public byte[] scratch() { return loops[0].scratch(); }
    @Override public long nowMs() { return System.nanoTime() / 1_000_000L; }
    @Override public List<String> candidates() { return candidates; }
    @Override public org.roundtable.bridge.metrics.Pipeline pipeline() { return loops[0].pipeline(); }
    @Override public boolean inLoop() { return loops[0].inLoop(); }
    public int udpPort() { return ((InetSocketAddress) loops[0].udp.localAddress()).getPort(); }
    /** Media loops running. */
    public int mediaLoops() { return loops.length; }
    /** Media loop i (for tests in this package). */
    MediaLoop loop(int i) { return loops[i]; }
    /** What the forwarding warm-up did at {@link #start} (null: none, or it did not finish in time). */
    ForwardWarmUp.Result forwardWarmUp() { return forwardWarmUp; }
    /** Remote UDP addresses bound to an endpoint. For tests. */
    int addressBindings() { return byAddress.size(); }
    /** ICE ufrags bound to an endpoint. For tests. */
    int ufragBindings() { return byUfrag.size(); }
    public int tcpPort() { return tcpServer == null ? 0 : ((InetSocketAddress) tcpServer.localAddress()).getPort(); }

    public void start() throws InterruptedException {
        boolean epoll = group instanceof EpollEventLoopGroup;
        int port = config.udpPort();
        for (MediaLoop l : loops) {
            UdpIngress ingress = new UdpIngress(l);
            Bootstrap b = new Bootstrap().group(l.loop)
                    .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                    .option(ChannelOption.ALLOCATOR, alloc)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, MediaBuffers.READS)
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(ingress);
            if (epoll) b.option(io.netty.channel.epoll.EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 2048);
            if (loops.length > 1) {
                b.option(io.netty.channel.epoll.EpollChannelOption.SO_REUSEPORT, true);
                l.pinned = new PinnedSockets(l, ingress);
            }
            l.udp = b.bind(config.bindAddress(), port).sync().channel();
            l.udpSender = new UdpSender(l.udp, config.tuning().udpFlushEvery(), metrics, config.tuning().udpGso());
            port = ((InetSocketAddress) l.udp.localAddress()).getPort();   // the rest share the first's (maybe ephemeral) port
        }
        int udpPort = udpPort();
        int prio = 0;
        for (String a : config.advertisedAddresses()) {
            candidates.add((++prio) + " 1 udp " + (2130706431 - prio) + " " + a + " " + udpPort + " typ host");
        }
        if (config.tcpPort() > 0) {
            tcpServer = new ServerBootstrap().group(group)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .childOption(ChannelOption.ALLOCATOR, alloc)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override protected void initChannel(SocketChannel ch) {
                            // connections are spread over the loops: the count is shared
                            BridgeConfig.Limits lim = config.limits();
                            if (tcpOpen.incrementAndGet() > lim.tcpMaxConnections()) {
                                tcpOpen.decrementAndGet();
                                metrics.iceTcpOverCap.inc();
                                ch.config().setOption(ChannelOption.SO_LINGER, 0);
                                ch.close();
                                return;
                            }
                            metrics.iceTcpConnections.set(tcpOpen.get());
                            ch.closeFuture().addListener(f -> metrics.iceTcpConnections.set(tcpOpen.decrementAndGet()));
                            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2),
                                    new TcpIngress());
                            ch.eventLoop().schedule(() -> {
                                if (ch.isOpen() && !byTcp.containsKey(ch)) {
                                    metrics.iceTcpUnauthenticated.inc();
                                    ch.close();
                                }
                            }, lim.tcpAuthTimeoutMs(), TimeUnit.MILLISECONDS);
                        }
                    })
                    .bind(config.bindAddress(), config.tcpPort()).sync().channel();
            int tcpPort = tcpPort();
            for (String a : config.advertisedAddresses()) {
                candidates.add((++prio) + " 1 tcp " + (1518280447 - prio) + " " + a + " " + tcpPort + " typ host tcptype passive");
            }
        }
        for (MediaLoop l : loops) {
            l.loop.scheduleAtFixedRate(l::tick, 1000, 1000, TimeUnit.MILLISECONDS);
            l.loop.scheduleAtFixedRate(l::detectSpeakers, 200, 200, TimeUnit.MILLISECONDS);
        }
        // the forwarding path compiled on the first loop (the code is shared by every loop), beside the DTLS warm-up
        java.util.concurrent.CompletableFuture<ForwardWarmUp.Result> forwarding = config.tuning().warmUpPackets() > 0
                ? ForwardWarmUp.start(loops[0], config.tuning().warmUpPackets()) : null;
        warmUp.await();
        if (forwarding != null) {
            try {
                forwardWarmUp = forwarding.get(20, TimeUnit.SECONDS);
                LOG.info("{}", forwardWarmUp);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.warn("the forwarding warm-up did not finish in 20 s: the first members may wait for the JIT");
            }
        }
        LOG.info("media: udp {}:{}, ice-tcp {}, candidates {}", config.bindAddress(), udpPort, tcpServer == null ? "off" : tcpPort(), candidates);
        LOG.info("udp writes: {}", loops[0].udpSender.direct() ? "one sendmmsg per flush, from the media loop, "
                + (loops[0].udpSender.gso() ? "a receiver's consecutive packets as one GSO message" : "GSO off")
                : "Netty's channel writes (" + (UdpSender.directUnavailable() != null ? UdpSender.directUnavailable() : "not an epoll socket") + ")");
    }


    // ------------------------------------------------------------------ public API (any thread)

    private volatile long[] mediaThreadIds;

    /** CPU time the media loop threads have used together, in nanoseconds (for benchmarks and tests). */
    public long mediaCpuNanos() {
        if (mediaThreadIds == null) {
            long[] ids = new long[loops.length];
            try {
                for (int i = 0; i < loops.length; i++) ids[i] = loops[i].loop.submit(() -> Thread.currentThread().getId()).get(10, TimeUnit.SECONDS);
            } catch (Exception e) { return -1; }
            mediaThreadIds = ids;
        }
        long sum = 0;
        for (long id : mediaThreadIds) sum += java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(id);
        return sum;
    }

    /** The meeting's conference, placed on the media loop with the fewest conferences when it is made. */
    public Conference conference(String id) {
        return conferences.computeIfAbsent(id, k -> {
            metrics.meetings.inc();
            MediaLoop least = loops[0];
            for (MediaLoop l : loops) if (l.conferences.get() < least.conferences.get()) least = l;
            least.conferences.incrementAndGet();
            Conference c = new Conference(k, least);
            MediaLoop home = least;
            home.execute(() -> home.hosted.add(c));
            return c;
        });
    }

    public void removeConference(String id) {
        Conference c = conferences.remove(id);
        if (c != null) {
            metrics.meetings.dec();
            if (c.host() instanceof MediaLoop l) {
                l.conferences.decrementAndGet();
                l.execute(() -> l.hosted.remove(c));
            }
        }
    }

    /** An endpoint of c, on c's media loop. */
    public Endpoint createEndpoint(Conference c, String endpointId, String ownerId, Endpoint.Listener l) {
        MediaLoop home = c.host() instanceof MediaLoop m ? m : loops[0];
        Endpoint e = new Endpoint(home, c, endpointId, ownerId, l);
        byUfrag.put(e.localUfrag, e);
        home.execute(() -> home.add(e));
        return e;
    }

    void endpointCountChanged(int delta) { metrics.endpoints.set(endpointCount.addAndGet(delta)); }

    /** The media loop an endpoint runs on (the first for one a test hosts on the bridge itself). */
    private MediaLoop loopOf(Endpoint e) {
        return e.host() instanceof MediaLoop m ? m : loops[0];
    }

    private MediaLoop loopOf(io.netty.channel.EventLoop el) {
        for (MediaLoop l : loops) if (l.loop == el) return l;
        return loops[0];
    }

    /** A media loop for a plain-RTP leg (the SIP gateway's), in turn: bind all of one leg's sockets on it. */
    public EventLoop legLoop() {
        return loops[Math.floorMod(nextLegLoop.getAndIncrement(), loops.length)].loop;
    }

    /**
     * The media loop for a leg that will feed conference id (a dial-out knows its meeting): that conference's
     * loop, so the leg's audio reaches the conference without a hop between threads; a loop in turn when the
     * conference does not exist (yet).
     */
    public EventLoop legLoop(String conferenceId) {
        Conference c = conferenceId == null ? null : conferences.get(conferenceId);
        return c != null && c.host() instanceof MediaLoop l ? l.loop : legLoop();
    }

    /** Binds a UDP channel on media loop loop (plain-RTP legs for the SIP gateway: see {@link #legLoop}). */
    public Channel bindDatagram(EventLoop loop, InetSocketAddress local, io.netty.channel.ChannelHandler handler) throws InterruptedException {
        boolean epoll = group instanceof EpollEventLoopGroup;
        return new Bootstrap().group(loop)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.ALLOCATOR, alloc)
                .handler(handler)
                .bind(local).sync().channel();
    }

    /** Runs a task on the first media loop and waits for its result (a conference's: {@link Conference#call}). */
    public <T> T call(Callable<T> task) throws Exception {
        if (loops[0].inLoop()) return task.call();
        Future<T> f = loops[0].loop.submit(task);
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        }
    }

    /** Runs r on the first media loop (a conference's: {@link Conference#execute}). */
    @Override public void execute(Runnable r) { loops[0].execute(r); }

    // ------------------------------------------------------------------ for endpoints (their media loop)

    @Override public void startDtls(DtlsSession s) { dtlsPool.execute(s); }

    /**
     * Reserves a place for one more DTLS handshake, within {@link BridgeConfig.Limits#maxPendingDtls()};
     * false (counted) when none is left. Each true is matched by one {@link #dtlsEnded()}. Media loop only.
     */
    @Override public boolean reserveDtls() {
        int n = dtlsPending.incrementAndGet();
        if (n > config.limits().maxPendingDtls()) {
            dtlsPending.decrementAndGet();
            metrics.dtlsRejected.inc();
            return false;
        }
        metrics.dtlsPending.set(n);
        return true;
    }

    @Override public void dtlsEnded() { metrics.dtlsPending.set(dtlsPending.decrementAndGet()); }

    /** ICE-TCP connections bound to an endpoint (after an authenticated check). For tests. */
    public int tcpBindings() { return byTcp.size(); }

    @Override public void bindAddress(InetSocketAddress a, Endpoint e) { byAddress.put(a, e); }

    /** Makes e reachable by its ICE ufrag (STUN), as {@link #createEndpoint} does: for endpoints a loop makes itself (the warm-up's). */
    void bindUfrag(Endpoint e) { byUfrag.put(e.localUfrag, e); }

    /** For endpoints hosted on the bridge itself (tests): as the first loop. */
    @Override public void forget(Endpoint e, Set<InetSocketAddress> addrs) { loops[0].forget(e, addrs); }
    @Override public void pathSelected(Endpoint e, MediaPath p) { loops[0].pathSelected(e, p); }

    /** Drops e from the shared lookup tables and closes its ICE-TCP connections. e's loop. */
    void forgetEverywhere(Endpoint e, Set<InetSocketAddress> addrs) {
        byUfrag.remove(e.localUfrag, e);
        for (InetSocketAddress a : addrs) byAddress.remove(a, e);
        byTcp.entrySet().removeIf(x -> {
            if (x.getValue() != e) return false;
            x.getKey().close();     // its connection carries nothing for anyone else
            return true;
        });
    }

    /** Flushes the first loop's socket and ICE-TCP connections (for endpoints hosted on the bridge itself). */
    @Override public void flush() { loops[0].flush(); }

    /**
     * Demultiplexes one datagram or TCP frame (RFC 7983) that arrived on loop here, or was handed to it.
     * A packet for an endpoint of another loop goes there ({@link LoopHandoff}) and is demultiplexed again
     * on arrival. Takes ownership of buf. Thread: loop here.
     */
    void ingress(ByteBuf buf, InetSocketAddress from, Channel tcp, MediaLoop here) {
        try {
            int len = buf.readableBytes();
            if (len < 1) { metrics.drop(DropReason.UNKNOWN_PROTOCOL); return; }
            byte[] a = buf.array();
            int off = buf.arrayOffset() + buf.readerIndex();
            int first = a[off] & 0xFF;
            Endpoint e = tcp != null ? byTcp.get(tcp) : byAddress.get(from);
            if (first < 4) {
                Stun.Request req = Stun.parse(a, off, len);
                if (req == null) { metrics.drop(DropReason.MALFORMED_STUN); return; }
                String ufrag = Stun.localUfrag(req.username);
                Endpoint target = ufrag == null ? e : byUfrag.get(ufrag);
                if (target == null) { metrics.drop(DropReason.STUN_UNKNOWN_USER); return; }
                MediaLoop home = loopOf(target);
                if (home != here) { handOver(home, buf, from, tcp); return; }
                MediaPath via = tcp != null ? new TcpPath(tcp, loopOf(tcp.eventLoop()).dirtyTcp) : new UdpPath(here.udpSender, from);
                // A connection belongs to an endpoint only after a check with valid MESSAGE-INTEGRITY.
                if (target.onStun(a, off, len, req, from, via) && tcp != null && tcp.isActive()) byTcp.put(tcp, target);
            } else if (first >= 20 && first <= 63) {
                if (e == null) { metrics.drop(DropReason.NO_ENDPOINT); return; }
                MediaLoop home = loopOf(e);
                if (home != here) { handOver(home, buf, from, tcp); return; }
                e.onDtls(a, off, len);
            } else if (first >= 128 && first <= 191) {
                if (e == null) { metrics.drop(DropReason.NO_ENDPOINT); return; }
                MediaLoop home = loopOf(e);
                if (home != here) { handOver(home, buf, from, tcp); return; }
                e.onSrtp(buf);
            } else {
                metrics.drop(DropReason.UNKNOWN_PROTOCOL);
            }
        } catch (RuntimeException ex) {
            // A parser bug must never take the loop down: count it and go on.
            metrics.drop(DropReason.UNKNOWN_PROTOCOL);
            LOG.warn("ingress error from {}: {}", from, ex.toString());
        } finally {
            buf.release();
        }
    }

    /** Gives the packet (one more reference: the caller's is released as usual) to its endpoint's loop. */
    private void handOver(MediaLoop home, ByteBuf buf, InetSocketAddress from, Channel tcp) {
        metrics.loopHandoffs.inc();
        LoopHandoff.send(home, buf.retain(), from, tcp);
    }

    private ByteBuf toHeap(ByteBuf b) {
        if (b.hasArray()) return b.retain();
        ByteBuf h = alloc.heapBuffer(b.readableBytes());
        h.writeBytes(b, b.readerIndex(), b.readableBytes());
        return h;
    }

    /** UDP ingress on one media loop's shared socket and its pinned ones ({@link PinnedSockets}). */
    @io.netty.channel.ChannelHandler.Sharable
    private final class UdpIngress extends SimpleChannelInboundHandler<DatagramPacket> {
        private final MediaLoop loop;
        UdpIngress(MediaLoop loop) { this.loop = loop; }
        @Override protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            ingress(toHeap(p.content()), p.sender(), null, loop);
        }
        @Override public void channelReadComplete(ChannelHandlerContext ctx) { loop.flush(); }
        @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) { LOG.debug("udp: {}", cause.toString()); }
    }

    /** ICE-TCP ingress (one instance per connection) on the loop the connection was accepted on. */
    private final class TcpIngress extends SimpleChannelInboundHandler<ByteBuf> {
        private MediaLoop loop;
        private MediaLoop loop(ChannelHandlerContext ctx) {
            if (loop == null) loop = loopOf(ctx.channel().eventLoop());
            return loop;
        }
        @Override protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            ingress(toHeap(frame), (InetSocketAddress) ctx.channel().remoteAddress(), ctx.channel(), loop(ctx));
        }
        @Override public void channelReadComplete(ChannelHandlerContext ctx) { loop(ctx).flush(); }
        @Override public void channelInactive(ChannelHandlerContext ctx) { byTcp.remove(ctx.channel()); loop(ctx).dirtyTcp.remove(ctx.channel()); }
        @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) { ctx.close(); }
    }

    @Override
    public void close() {
        try {
            for (MediaLoop l : loops) l.loop.submit(() -> l.closeAll("server shutting down")).get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) { /* shutting down anyway */ }
        for (MediaLoop l : loops) if (l.udp != null) l.udp.close();
        for (MediaLoop l : loops) {
            try {
                l.loop.submit(l::closeSending).get(5, TimeUnit.SECONDS);   // held packets and the arena go back to the pool
            } catch (Exception ignored) { /* the loop is gone: the pool goes with the process */ }
        }
        if (tcpServer != null) tcpServer.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        dtlsPool.shutdownNow();
    }
}
