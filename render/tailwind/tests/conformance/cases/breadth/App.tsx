export function App() {
  return (
    <main className="container mx-auto">
      <div className="inset-x-0 inset-y-4 start-2 end-3 -left-4 top-1/3 bottom-full z-0 z-20 z-30 z-40 order-last order-none" />
      <div className="col-span-full col-end-3 row-start-1 row-end-4 grid-rows-[auto_1fr] auto-cols-fr grid-flow-col grid-flow-row-dense gap-0 gap-px gap-2.5" />
      <div className="p-0 p-0.5 p-1 p-1.5 p-px px-0 py-px m-0 -m-px mt-auto mx-px -ml-0.5 space-x-reverse scroll-mt-4 scroll-p-2" />
      <div className="w-px w-0 w-1 w-3/4 w-screen w-min w-max w-fit w-dvw w-sm w-xs w-[50vw] h-full h-auto h-dvh h-1/2 h-[300px] min-h-0 min-h-full max-w-full max-w-none max-w-2xl max-w-prose max-w-screen-md min-w-full size-full size-px" />
      <div className="text-xs text-3xl text-4xl text-5xl text-9xl text-lg/7 text-sm/6 text-base/loose text-[length:12px] text-[color:red] text-red-500/[37%]" />
      <div className="font-thin font-light font-normal font-extrabold font-black font-serif font-[500] tracking-tight tracking-tighter tracking-widest -tracking-wide leading-none leading-relaxed leading-loose leading-[1.1]" />
      <div className="text-left text-right text-justify text-wrap text-nowrap text-balance text-pretty lowercase capitalize normal-case not-italic no-underline overline antialiased tabular-nums" />
      <div className="whitespace-nowrap whitespace-pre whitespace-pre-wrap break-words break-all text-ellipsis align-middle align-top list-disc list-decimal list-inside list-none indent-4 line-clamp-3 line-clamp-none" />
      <div className="decoration-2 decoration-red-500 decoration-wavy underline-offset-4 underline-offset-2 decoration-from-font" />
      <div className="bg-red-50 bg-slate-900 bg-zinc-800/90 bg-emerald-400 bg-current bg-inherit bg-cover bg-center bg-no-repeat bg-fixed bg-clip-text bg-[url(/img.png)] bg-(--my-bg) text-(--my-color)" />
      <div className="border-0 border-4 border-8 border-x border-y-2 border-b-2 border-l-4 border-r border-s border-e-2 border-t-0 border-dotted border-double border-none border-transparent border-current border-white/10 border-x-red-500 border-t-blue-500" />
      <div className="rounded-xs rounded-sm rounded-xl rounded-2xl rounded-3xl rounded-none rounded-b-md rounded-l-xl rounded-r-sm rounded-tl-lg rounded-br-none rounded-s-lg rounded-e-full rounded-[10px]" />
      <div className="shadow shadow-xs shadow-2xs shadow-xl shadow-2xl shadow-red-500 shadow-black/20 shadow-inner ring-0 ring-4 ring-inset ring-red-500/50 ring-offset-2 ring-offset-white outline outline-2 outline-dashed outline-offset-2 outline-blue-500 outline-hidden" />
      <div className="opacity-0 opacity-100 opacity-25 opacity-[.15] mix-blend-multiply blur blur-sm blur-md blur-none" />
      <div className="scale-100 scale-150 -scale-50 scale-x-50 scale-y-75 rotate-0 rotate-180 rotate-[17deg] -rotate-12 skew-x-12 -skew-y-6 translate-x-full -translate-y-full translate-px translate-x-[10px] origin-center origin-top-left transform transform-none" />
      <div className="transition-opacity transition-shadow transition-transform transition-none duration-75 duration-150 duration-500 duration-1000 ease-linear ease-in ease-out delay-75 delay-300 animate-spin animate-pulse animate-bounce animate-none" />
      <div className="cursor-default cursor-not-allowed cursor-wait cursor-text cursor-move select-text select-all pointer-events-auto resize resize-none resize-y appearance-none touch-none will-change-transform scroll-smooth snap-x snap-center" />
      <div className="overflow-visible overflow-scroll overflow-y-auto overflow-x-hidden overflow-y-scroll overscroll-contain overscroll-none object-contain object-fill object-none object-center object-top visible invisible collapse isolate" />
      <div className="flex-row-reverse flex-col-reverse flex-wrap-reverse flex-nowrap flex-auto flex-initial flex-[2_2_0%] grow-0 shrink basis-full basis-64 basis-auto self-auto self-start self-end self-center self-stretch justify-self-center justify-items-center content-center content-between place-items-center place-content-center place-self-center items-start items-end items-baseline items-stretch justify-start justify-end justify-center justify-around justify-evenly" />
      <div className="table table-row table-cell contents list-item flow-root inline inline-grid table-auto table-fixed border-collapse border-separate box-border box-content float-left float-right clear-both" />
      <div className="fill-current stroke-current fill-red-500 stroke-2 accent-pink-500 caret-blue-500 placeholder-gray-400 divide-y divide-x-2 divide-gray-200 columns-2 columns-3xs aspect-4/3 aspect-[16/9]" />
      <div className="bg-linear-to-r from-blue-500 via-purple-500 to-pink-500 bg-gradient-to-b from-10% to-90%" />
    </main>
  );
}
