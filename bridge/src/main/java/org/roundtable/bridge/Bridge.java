package org.roundtable.bridge;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.roundtable.bridge.dtls.DtlsCertificate;
import org.roundtable.bridge.dtls.DtlsSession;
import org.roundtable.bridge.ice.Stun;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.router.Conference;
import org.roundtable.bridge.router.Endpoint;
import org.roundtable.bridge.router.EndpointHost;
import org.roundtable.bridge.transport.MediaPath;
import org.roundtable.bridge.transport.TcpFlushList;
import org.roundtable.bridge.transport.TcpPath;
import org.roundtable.bridge.transport.UdpSender;
import org.roundtable.bridge.transport.UdpPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media server process's bridge: one UDP socket for every endpoint (plus passive ICE-TCP), the media
 * event loop, the DTLS identity and pool, and the endpoint lookup tables. Ingress demultiplexes by the
 * first byte (RFC 7983): STUN goes to the endpoint named by the USERNAME ufrag; DTLS and SRTP go to the
 * endpoint that owns the source address (learned from a valid ICE check).
 * Threads: sockets, endpoints and conferences run on the single media loop; DTLS handshakes on a small
 * pool; the public API may be called from any thread and hops to the loop.
 */
public final class Bridge implements AutoCloseable, EndpointHost {
    private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);

    public final BridgeMetrics metrics;
    private final BridgeConfig config;
    private final DtlsCertificate cert = DtlsCertificate.generate();
    private final ByteBufAllocator alloc = new PooledByteBufAllocator(false);
    private final EventLoopGroup group;
    private final ExecutorService dtlsPool;
    private Channel udp, tcpServer;
    private final List<String> candidates = new ArrayList<>();
    private final Map<String, Endpoint> byUfrag = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, Endpoint> byAddress = new HashMap<>();     // media loop only
    private final Map<Channel, Endpoint> byTcp = new HashMap<>();                   // media loop only
    private final Set<Endpoint> endpoints = new LinkedHashSet<>();                  // media loop only
    private final Map<String, Conference> conferences = new ConcurrentHashMap<>();
    private final TcpFlushList dirtyTcp = new TcpFlushList();
    private UdpSender udpSender;
    private int tcpOpen;                                                              // media loop only
    private int dtlsPending;                                                          // media loop only

    /**
     * The media loop is a {@link io.netty.util.concurrent.FastThreadLocalThread}: Netty's pooled allocator
     * keeps a thread cache only for those (since 4.1.76), and its object pools recycle there; on a plain
     * thread every buffer would go through the shared arena's lock.
     */
    private static final java.util.concurrent.ThreadFactory MEDIA_THREADS =
            r -> new io.netty.util.concurrent.FastThreadLocalThread(r, "media-loop");

    public Bridge(BridgeConfig config, BridgeMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        boolean epoll = Epoll.isAvailable();
        this.group = epoll ? new EpollEventLoopGroup(1, MEDIA_THREADS) : new NioEventLoopGroup(1, MEDIA_THREADS);
        this.dtlsPool = Executors.newFixedThreadPool(Math.max(1, config.dtlsThreads()), new io.netty.util.concurrent.DefaultThreadFactory("dtls", true));
        LOG.info("media transport: {}", epoll ? "epoll" : "nio (epoll unavailable: " + Epoll.unavailabilityCause() + ")");
    }

    @Override public BridgeMetrics metrics() { return metrics; }
    public BridgeConfig config() { return config; }
    public DtlsCertificate certificate() { return cert; }
    public ByteBufAllocator alloc() { return alloc; }

    /** Scratch space for building and protecting one outgoing packet. Media loop only. */
    private final byte[] scratch = new byte[2048 + org.roundtable.bridge.srtp.SrtpSession.MAX_TRAILER];
    public byte[] scratch() { return scratch; }
    public long nowMs() { return System.nanoTime() / 1_000_000L; }
    public List<String> candidates() { return candidates; }
    public int udpPort() { return ((InetSocketAddress) udp.localAddress()).getPort(); }
    public int tcpPort() { return tcpServer == null ? 0 : ((InetSocketAddress) tcpServer.localAddress()).getPort(); }

    public void start() throws InterruptedException {
        boolean epoll = group instanceof EpollEventLoopGroup;
        udp = new Bootstrap().group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.ALLOCATOR, alloc)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .handler(new UdpIngress())
                .bind(config.bindAddress(), config.udpPort()).sync().channel();
        udpSender = new UdpSender(udp, config.tuning().udpFlushEvery());
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
                            // the loop's own thread (one group): plain counters suffice
                            BridgeConfig.Limits lim = config.limits();
                            if (tcpOpen >= lim.tcpMaxConnections()) {
                                metrics.iceTcpOverCap.inc();
                                ch.config().setOption(ChannelOption.SO_LINGER, 0);
                                ch.close();
                                return;
                            }
                            tcpOpen++;
                            metrics.iceTcpConnections.set(tcpOpen);
                            ch.closeFuture().addListener(f -> { tcpOpen--; metrics.iceTcpConnections.set(tcpOpen); });
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
        group.next().scheduleAtFixedRate(this::tick, 1000, 1000, TimeUnit.MILLISECONDS);
        group.next().scheduleAtFixedRate(() -> {
            long now = nowMs();
            for (Conference c : conferences.values()) c.detectSpeaker(now);
        }, 200, 200, TimeUnit.MILLISECONDS);
        warmUpDtls();
        LOG.info("media: udp {}:{}, ice-tcp {}, candidates {}", config.bindAddress(), udpPort, tcpServer == null ? "off" : tcpPort(), candidates);
    }

    /**
     * One in-memory DTLS handshake at start-up, on its own threads: the first handshake in a cold JVM
     * takes about a second (class loading, unJITted ECDHE), which the first person to join would feel.
     */
    private void warmUpDtls() {
        Thread t = new Thread(() -> {
            try {
                java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(2);
                DtlsSession[] pair = new DtlsSession[2];
                pair[0] = new DtlsSession(cert, false, cert.fingerprint, (b, o, l) -> pair[1].offer(java.util.Arrays.copyOfRange(b, o, o + l)),
                        k -> done.countDown(), e -> done.countDown(), 5000);
                pair[1] = new DtlsSession(cert, true, cert.fingerprint, (b, o, l) -> pair[0].offer(java.util.Arrays.copyOfRange(b, o, o + l)),
                        k -> done.countDown(), e -> done.countDown(), 5000);
                long t0 = System.nanoTime();
                // jitsi-srtp benchmarks its AES providers (Bouncy Castle included) on first use: do it here,
                // not on the media loop when the first person joins.
                for (int p : new int[] {org.bouncycastle.tls.SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM,
                        org.bouncycastle.tls.SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80}) {
                    int salt = p == org.bouncycastle.tls.SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM ? 12 : 14;
                    org.roundtable.bridge.srtp.SrtpSession warm = new org.roundtable.bridge.srtp.SrtpSession(
                            new DtlsSession.SrtpKeys(p, new byte[16], new byte[salt], new byte[16], new byte[salt]));
                    byte[] pkt = new byte[200];
                    pkt[0] = (byte) 0x80;
                    warm.protectRtp(pkt, 0, 100, pkt.length, 1);
                    warm.close();
                }
                Thread s = new Thread(pair[0], "dtls-warmup-server");
                s.setDaemon(true);
                s.start();
                pair[1].run();
                done.await(10, TimeUnit.SECONDS);
                pair[0].close();
                pair[1].close();
                LOG.info("DTLS warm-up handshake took {} ms", (System.nanoTime() - t0) / 1_000_000);
            } catch (Exception e) {
                LOG.debug("DTLS warm-up failed: {}", e.toString());
            }
        }, "dtls-warmup");
        t.setDaemon(true);
        t.start();
    }

    // ------------------------------------------------------------------ public API (any thread)

    private volatile long mediaThreadId = -1;

    /** CPU time the media loop thread has used, in nanoseconds (for benchmarks and tests). */
    public long mediaCpuNanos() {
        if (mediaThreadId < 0) {
            try { mediaThreadId = call(() -> Thread.currentThread().getId()); } catch (Exception e) { return -1; }
        }
        return java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(mediaThreadId);
    }

    public Conference conference(String id) {
        return conferences.computeIfAbsent(id, k -> {
            metrics.meetings.inc();
            return new Conference(k);
        });
    }

    public void removeConference(String id) {
        if (conferences.remove(id) != null) metrics.meetings.dec();
    }

    public Endpoint createEndpoint(Conference c, String endpointId, String ownerId, Endpoint.Listener l) {
        Endpoint e = new Endpoint(this, c, endpointId, ownerId, l);
        byUfrag.put(e.localUfrag, e);
        execute(() -> { endpoints.add(e); metrics.endpoints.set(endpoints.size()); });
        return e;
    }

    /** Binds a UDP channel on the media loop (plain-RTP legs for the SIP gateway). */
    public Channel bindDatagram(InetSocketAddress local, io.netty.channel.ChannelHandler handler) throws InterruptedException {
        boolean epoll = group instanceof EpollEventLoopGroup;
        return new Bootstrap().group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .handler(handler)
                .bind(local).sync().channel();
    }

    /** Runs a task on the media loop and waits for its result. */
    public <T> T call(Callable<T> task) throws Exception {
        if (group.next().inEventLoop()) return task.call();
        Future<T> f = group.next().submit(task);
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        }
    }

    public void execute(Runnable r) { group.next().execute(r); }

    // ------------------------------------------------------------------ for endpoints (media loop)

    public void startDtls(DtlsSession s) { dtlsPool.execute(s); }

    /**
     * Reserves a place for one more DTLS handshake, within {@link BridgeConfig.Limits#maxPendingDtls()};
     * false (counted) when none is left. Each true is matched by one {@link #dtlsEnded()}. Media loop only.
     */
    public boolean reserveDtls() {
        if (dtlsPending >= config.limits().maxPendingDtls()) { metrics.dtlsRejected.inc(); return false; }
        dtlsPending++;
        metrics.dtlsPending.set(dtlsPending);
        return true;
    }

    public void dtlsEnded() { dtlsPending--; metrics.dtlsPending.set(dtlsPending); }

    /** ICE-TCP connections bound to an endpoint (after an authenticated check). Media loop only; for tests. */
    public int tcpBindings() { return byTcp.size(); }

    public void bindAddress(InetSocketAddress a, Endpoint e) { byAddress.put(a, e); }

    public void forget(Endpoint e, Set<InetSocketAddress> addrs) {
        byUfrag.remove(e.localUfrag, e);
        for (InetSocketAddress a : addrs) byAddress.remove(a, e);
        byTcp.entrySet().removeIf(x -> {
            if (x.getValue() != e) return false;
            x.getKey().close();     // its connection carries nothing for anyone else
            return true;
        });
        endpoints.remove(e);
        metrics.endpoints.set(endpoints.size());
    }

    /** Flushes the UDP socket and every ICE-TCP connection written since the last flush. */
    public void flush() {
        if (udpSender != null) udpSender.flush();
        dirtyTcp.flushAll();
    }

    private void tick() {
        long now = nowMs();
        for (Endpoint e : new ArrayList<>(endpoints)) {
            String why = e.checkTimeouts(now);
            if (why != null) e.close(why);
            else e.sendReports(now);
        }
        flush();
    }

    /** Demultiplexes one datagram or TCP frame (RFC 7983). Takes ownership of buf. */
    private void ingress(ByteBuf buf, InetSocketAddress from, Channel tcp) {
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
                MediaPath via = tcp != null ? new TcpPath(tcp, dirtyTcp) : new UdpPath(udpSender, from);
                // A connection belongs to an endpoint only after a check with valid MESSAGE-INTEGRITY.
                if (target.onStun(a, off, len, req, from, via) && tcp != null && tcp.isActive()) byTcp.put(tcp, target);
            } else if (first >= 20 && first <= 63) {
                if (e == null) { metrics.drop(DropReason.NO_ENDPOINT); return; }
                e.onDtls(a, off, len);
            } else if (first >= 128 && first <= 191) {
                if (e == null) { metrics.drop(DropReason.NO_ENDPOINT); return; }
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

    private ByteBuf toHeap(ByteBuf b) {
        if (b.hasArray()) return b.retain();
        ByteBuf h = alloc.heapBuffer(b.readableBytes());
        h.writeBytes(b, b.readerIndex(), b.readableBytes());
        return h;
    }

    /** UDP ingress on the media loop. */
    private final class UdpIngress extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            ingress(toHeap(p.content()), p.sender(), null);
        }
        @Override public void channelReadComplete(ChannelHandlerContext ctx) { flush(); }
        @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) { LOG.debug("udp: {}", cause.toString()); }
    }

    /** ICE-TCP ingress (one instance per connection) on the media loop. */
    private final class TcpIngress extends SimpleChannelInboundHandler<ByteBuf> {
        @Override protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            ingress(toHeap(frame), (InetSocketAddress) ctx.channel().remoteAddress(), ctx.channel());
        }
        @Override public void channelReadComplete(ChannelHandlerContext ctx) { flush(); }
        @Override public void channelInactive(ChannelHandlerContext ctx) { byTcp.remove(ctx.channel()); dirtyTcp.remove(ctx.channel()); }
        @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) { ctx.close(); }
    }

    @Override
    public void close() {
        try {
            call(() -> { for (Endpoint e : new ArrayList<>(endpoints)) e.close("server shutting down"); return null; });
        } catch (Exception ignored) { /* shutting down anyway */ }
        if (udp != null) udp.close();
        if (tcpServer != null) tcpServer.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        dtlsPool.shutdownNow();
    }
}
