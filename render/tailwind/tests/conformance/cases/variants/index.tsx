export const A = () => (
  <div className="hover:bg-blue-600 focus:outline-none active:scale-95 disabled:opacity-50">
    <p className="group-hover:text-white group-focus:underline peer-checked:bg-green-500 peer-hover:text-red-500" />
    <p className="dark:bg-gray-900 dark:text-gray-100 sm:flex md:grid lg:hidden xl:block 2xl:p-8" />
    <p className="max-md:hidden max-sm:p-2 md:hover:bg-red-500 first:pt-0 last:pb-0 odd:bg-gray-50 even:bg-white" />
    <p className="before:content-['x'] after:absolute placeholder:text-gray-400 aria-checked:bg-blue-500 aria-[sort=ascending]:bg-red-500" />
    <p className="data-[state=open]:flex data-active:font-bold supports-[display:grid]:grid focus-visible:ring-2 focus-within:shadow-lg" />
    <p className="group-hover/item:visible motion-safe:transition print:hidden has-checked:bg-indigo-50 *:p-2 min-[600px]:flex max-[400px]:block" />
  </div>
);
